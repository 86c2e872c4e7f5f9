#!/bin/sh
# git-sync's GIT_ASKPASS. git runs it with its prompt as the only argument when a server asks
# for credentials, and reads the answer from its output: so the password is read from the file
# at that moment (a rotated Secret counts at once), and is never on a command line or in an
# environment, where other processes of the pod could read it.
case "$1" in
  Username*) printf '%s\n' "$GITSYNC_USERNAME" ;;
  Password*)
    # A Secret being rotated may be empty for a moment: failing the fetch beats sending "".
    [ -s "$GITSYNC_PASSWORD_FILE" ] || exit 1
    exec cat -- "$GITSYNC_PASSWORD_FILE"
    ;;
  *) exit 1 ;;
esac

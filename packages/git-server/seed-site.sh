#!/bin/sh
# Makes the bare repository site.git in the folder given, with a first page, unless it is there:
# the in-cluster git server's repository (k8s/git-server, k8s/secret), which starts empty.
set -eu
base=$1
[ -d "$base/site.git" ] && exit 0
git init --quiet --bare --initial-branch=main "$base/site.git"
work=$(mktemp -d)
cd "$work"
git init --quiet --initial-branch=main
printf '%s\n' 'The first page of the site, from git.' > index.txt
# The script is web-server's live update: the page changes in place at each push.
printf '%s\n' '<!doctype html><html lang="en"><meta charset="utf-8"><title>site</title>' \
  '<script src="/.live/update.js" defer></script>' \
  '<p>The first page of the site, from git.</p>' > index.html
git add index.txt index.html
git -c user.name=fortune-sidecar -c user.email=demo@fortune-sidecar.invalid \
  commit --quiet -m 'First page'
git push --quiet "$base/site.git" main
cd / && rm -rf "$work"

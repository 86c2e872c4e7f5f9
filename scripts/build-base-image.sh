#!/usr/bin/env bash
# Builds a local stand-in for the official Node.js image, for machines that cannot pull from
# Docker Hub: a Debian root filesystem made by debootstrap, imported into Docker, plus this
# machine's own node binary and a `node` user with uid 1000, as in the official image.
#
#   scripts/build-base-image.sh            prints the image name it built or found, last
#   NODE_IMAGE=$(scripts/build-base-image.sh | tail -n 1) scripts/build-images.sh
#
# Settings (environment):
#   BASE_IMAGE     the name to give the image (default fortune-sidecar/node-base:<node version>-<suite>)
#   DEBIAN_SUITE   the Debian release to bootstrap (default bookworm)
#   DEBIAN_MIRROR  where debootstrap downloads from (default http://deb.debian.org/debian)
#   BASE_CACHE     a folder to keep the root filesystem in, so the next build skips debootstrap
#   REBUILD=1      build even when the image already exists
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

case "${1:-}" in
  -h | --help) usage && exit 0 ;;
  "") ;;
  *) usage >&2 && die "unknown argument '$1'" ;;
esac

DEBIAN_SUITE=${DEBIAN_SUITE:-bookworm}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
require_tool node "Install Node.js 20 or later (https://nodejs.org/)."
NODE_BIN=$(command -v node)
NODE_VERSION=$(node -p 'process.versions.node')
BASE_IMAGE=${BASE_IMAGE:-fortune-sidecar/node-base:$NODE_VERSION-$DEBIAN_SUITE}

require_docker
if [ -z "${REBUILD:-}" ] && docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  say "$BASE_IMAGE already exists (REBUILD=1 builds it again)"
  printf '%s\n' "$BASE_IMAGE"
  exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fortune-base.XXXXXX")
on_exit "rm -rf '$WORK'"

rootfs_tar="$WORK/rootfs.tar"
if [ -n "${BASE_CACHE:-}" ] && [ -s "$BASE_CACHE/debian-$DEBIAN_SUITE.tar" ]; then
  rootfs_tar="$BASE_CACHE/debian-$DEBIAN_SUITE.tar"
  say "using the cached root filesystem $rootfs_tar"
else
  require_tool debootstrap "Install it (Debian and Ubuntu: apt-get install debootstrap), or build with the official image instead: leave NODE_IMAGE unset."
  [ "$(id -u)" = 0 ] || die "debootstrap needs root: run this script with sudo."
  step_start "debootstrap --variant=minbase $DEBIAN_SUITE from $DEBIAN_MIRROR (about a minute)"
  if ! debootstrap --variant=minbase "$DEBIAN_SUITE" "$WORK/rootfs" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" 2>&1; then
    tail -n 20 "$WORK/debootstrap.log" >&2
    die "debootstrap failed (above: the end of its log). Is $DEBIAN_MIRROR reachable? Set DEBIAN_MIRROR to a mirror you can reach."
  fi
  # Package lists and caches only make the image bigger; apt-get update fetches them again.
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
  tar -C "$WORK/rootfs" -cf "$rootfs_tar" .
  rm -rf "$WORK/rootfs"
  if [ -n "${BASE_CACHE:-}" ]; then
    mkdir -p "$BASE_CACHE"
    mv "$rootfs_tar" "$BASE_CACHE/debian-$DEBIAN_SUITE.tar"
    rootfs_tar="$BASE_CACHE/debian-$DEBIAN_SUITE.tar"
  fi
  step_done "$(megabytes "$(wc -c <"$rootfs_tar")")"
fi

debian_image="$BASE_IMAGE-rootfs"
step_start "importing the root filesystem as $debian_image"
docker import --change 'CMD ["bash"]' "$rootfs_tar" "$debian_image" >/dev/null
step_done

step_start "building $BASE_IMAGE with node $NODE_VERSION from $NODE_BIN"
mkdir -p "$WORK/context"
cp "$NODE_BIN" "$WORK/context/node"
docker build --quiet --build-arg "DEBIAN_IMAGE=$debian_image" \
  -f "$REPO_ROOT/docker/node-base.Dockerfile" -t "$BASE_IMAGE" "$WORK/context" >/dev/null
# The rootfs image lives on as the base layer; only its name goes.
docker rmi "$debian_image" >/dev/null
step_done "$(megabytes "$(docker image inspect -f '{{.Size}}' "$BASE_IMAGE")")"
printf '%s\n' "$BASE_IMAGE"

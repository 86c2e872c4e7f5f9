#!/usr/bin/env bash
# Builds a local stand-in for the official Node.js image the Dockerfiles name, for machines that
# cannot pull from Docker Hub: a Debian root filesystem of the same release made by debootstrap,
# imported into Docker, plus the node binary of the same version from the npm registry's
# node-linux-<arch> package (scripts/node-from-npm.sh) and a `node` user with uid 1000, as in the
# official image. The host's own Node.js version does not matter.
#
#   scripts/build-base-image.sh            prints the image name it built or found, last
#   NODE_IMAGE=$(scripts/build-base-image.sh | tail -n 1) scripts/build-images.sh
#
# Settings (environment):
#   BASE_IMAGE     the name to give the image (default fortune-sidecar/node-base:<node version>-<suite>)
#   DEBIAN_SUITE   the Debian release to bootstrap (default the Dockerfiles' one)
#   DEBIAN_MIRROR  where debootstrap downloads from (default http://deb.debian.org/debian)
#   BASE_CACHE     a folder to keep the root filesystem and Node.js in, so that the next build
#                  skips debootstrap and the download
#   REBUILD=1      build even when the image already exists
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

case "${1:-}" in
  -h | --help) usage && exit 0 ;;
  "") ;;
  *) usage >&2 && die "unknown argument '$1'" ;;
esac

# node:<version>-<suite>-slim: the version and the Debian release of the official image.
official_image=$(dockerfile_node_image)
case "$official_image" in
  node:[0-9]*.[0-9]*.[0-9]*-*-slim) ;;
  *) die "the Dockerfiles' NODE_IMAGE is '$official_image', not node:<version>-<suite>-slim with a full version" ;;
esac
official_tag=${official_image#node:}
NODE_VERSION=${official_tag%%-*}
official_suite=${official_tag#*-}
DEBIAN_SUITE=${DEBIAN_SUITE:-${official_suite%-slim}}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE_IMAGE=${BASE_IMAGE:-fortune-sidecar/node-base:$NODE_VERSION-$DEBIAN_SUITE}
# Libraries the node binary links against that minbase lacks (the official image has them too).
# The cached root filesystem's name lists them, so that changing the list bootstraps afresh.
ROOTFS_PACKAGES=libatomic1

require_docker
if [ -z "${REBUILD:-}" ] && docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  say "$BASE_IMAGE already exists (REBUILD=1 builds it again)"
  printf '%s\n' "$BASE_IMAGE"
  exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fortune-base.XXXXXX")
on_exit "rm -rf '$WORK'"

rootfs_tar="$WORK/rootfs.tar"
cached_rootfs="${BASE_CACHE:-}/debian-$DEBIAN_SUITE-minbase+$ROOTFS_PACKAGES.tar"
if [ -n "${BASE_CACHE:-}" ] && [ -s "$cached_rootfs" ]; then
  rootfs_tar=$cached_rootfs
  say "using the cached root filesystem $rootfs_tar"
else
  require_tool debootstrap "Install it (Debian and Ubuntu: apt-get install debootstrap), or build with the official image instead: leave NODE_IMAGE unset."
  [ "$(id -u)" = 0 ] || die "debootstrap needs root: run this script with sudo."
  step_start "debootstrap --variant=minbase --include=$ROOTFS_PACKAGES $DEBIAN_SUITE from $DEBIAN_MIRROR (about a minute)"
  if ! debootstrap --variant=minbase --include="$ROOTFS_PACKAGES" "$DEBIAN_SUITE" "$WORK/rootfs" "$DEBIAN_MIRROR" \
    >"$WORK/debootstrap.log" 2>&1; then
    tail -n 20 "$WORK/debootstrap.log" >&2
    die "debootstrap failed (above: the end of its log). Is $DEBIAN_MIRROR reachable? Set DEBIAN_MIRROR to a mirror you can reach. Does this debootstrap know $DEBIAN_SUITE? Update it, or set DEBIAN_SUITE."
  fi
  # Package lists and caches only make the image bigger; apt-get update fetches them again.
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
  tar -C "$WORK/rootfs" -cf "$rootfs_tar" .
  rm -rf "$WORK/rootfs"
  if [ -n "${BASE_CACHE:-}" ]; then
    mkdir -p "$BASE_CACHE"
    mv "$rootfs_tar" "$cached_rootfs"
    rootfs_tar=$cached_rootfs
  fi
  step_done "$(megabytes "$(wc -c <"$rootfs_tar")")"
fi

# node-from-npm.sh fetches this machine's architecture, which is the engine's unless Docker runs
# elsewhere (then the build's `node --version` fails). Its last line is the folder of bin/node.
NODE_CACHE="${BASE_CACHE:-$WORK}/node" "$REPO_ROOT/scripts/node-from-npm.sh" "$NODE_VERSION" >"$WORK/node-from-npm.out"
sed '$d' "$WORK/node-from-npm.out"
mkdir -p "$WORK/context"
cp "$(tail -n 1 "$WORK/node-from-npm.out")/bin/node" "$WORK/context/node"

debian_image="$BASE_IMAGE-rootfs"
step_start "importing the root filesystem as $debian_image"
docker import --change 'CMD ["bash"]' "$rootfs_tar" "$debian_image" >/dev/null
step_done

step_start "building $BASE_IMAGE: node $NODE_VERSION on Debian $DEBIAN_SUITE"
docker build --quiet --build-arg "DEBIAN_IMAGE=$debian_image" \
  -f "$REPO_ROOT/docker/node-base.Dockerfile" -t "$BASE_IMAGE" "$WORK/context" >/dev/null
# The rootfs image lives on as the base layer; only its name goes.
docker rmi "$debian_image" >/dev/null
step_done "$(megabytes "$(docker image inspect -f '{{.Size}}' "$BASE_IMAGE")")"
printf '%s\n' "$BASE_IMAGE"

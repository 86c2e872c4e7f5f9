# Shared by the scripts in this folder: messages, timings, tool checks, the Docker client and
# the image names. Sourced, not run. Written for bash 3.2 as well, which macOS still ships.
# shellcheck shell=bash
# Variables here are used by the scripts that source this file.
# shellcheck disable=SC2034

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPT_NAME=$(basename "$0" .sh)

# The images this project builds, in build order.
IMAGES="fortune-writer web-server git-sync"
# Images are named <prefix>/<image>:<tag>; pushing prepends <registry>/.
IMAGE_PREFIX=${IMAGE_PREFIX:-fortune-sidecar}
# The registry that scripts/k3d-up.sh creates: k3d names it k3d-<name>, and *.localhost resolves
# to the loopback address, so the host and the cluster reach it by the same name.
DEFAULT_REGISTRY=k3d-fortune-registry.localhost:5050
# The k3d cluster scripts/k3d-up.sh creates; its nodes are k3d-<name>-server-0 and k3d-<name>-agent-0.
K3D_CLUSTER=fortune

# The comment block at the top of the running script is its help text.
usage() {
  awk 'NR == 1 { next } /^#/ && !/^# shellcheck/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
}

say() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*"; }
die() {
  printf '[%s] error: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 1
}

# require_tool NAME HOW-TO-INSTALL: stops with one message when a command is missing.
require_tool() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed. $2"
}

# step_start / step_done print what runs and, at the end, how long it took.
STEP_STARTED=0
step_start() {
  STEP_STARTED=$SECONDS
  say "$*"
}
step_done() {
  say "  done in $((SECONDS - STEP_STARTED)) s${1:+: $1}"
}

project_version() {
  node -p "require('$REPO_ROOT/package.json').version"
}

# The short commit of the checkout, with -dirty when it has uncommitted changes; empty outside git.
git_revision() {
  local revision
  revision=$(git -C "$REPO_ROOT" rev-parse --short=12 HEAD 2>/dev/null) || return 0
  if [ -n "$(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    revision="$revision-dirty"
  fi
  printf '%s\n' "$revision"
}

image_name() {
  printf '%s/%s\n' "$IMAGE_PREFIX" "$1"
}

# Checks that a Docker engine answers and picks a builder the client can use.
require_docker() {
  require_tool docker "Install Docker (https://docs.docker.com/engine/install/; on Debian: apt-get install docker.io), or run scripts/install-container-tools.sh as root."
  if ! docker info >/dev/null 2>&1; then
    die "the Docker engine does not answer (docker info failed). Start it: 'systemctl start docker', or without systemd 'dockerd >/tmp/dockerd.log 2>&1 &'."
  fi
  # Docker 23 and later build with BuildKit through the buildx plugin and stop with "BuildKit is
  # enabled but the buildx component is missing" without it. Debian's Docker 20.10 client has no
  # buildx either. The classic builder works with both and these Dockerfiles need nothing more.
  if [ -z "${DOCKER_BUILDKIT:-}" ] && ! docker buildx version >/dev/null 2>&1; then
    export DOCKER_BUILDKIT=0
  fi
}

# Bytes as MB with one decimal, for progress lines and size tables.
megabytes() {
  awk -v bytes="$1" 'BEGIN { printf "%.1f MB", bytes / 1000000 }'
}

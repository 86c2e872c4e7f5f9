#!/usr/bin/env bash
# Builds the service bundles, then the container images, each tagged with the project version
# and the git revision: fortune-sidecar/<image>:<version> and fortune-sidecar/<image>:<revision>.
#
#   scripts/build-images.sh                      all three images
#   scripts/build-images.sh web-server git-sync  only these
#
# Settings (environment):
#   NODE_IMAGE    the base image (default: the official Node.js image the Dockerfiles name, from
#                 Docker Hub; scripts/build-base-image.sh makes one for machines without Docker Hub)
#   IMAGE_PREFIX  the name before /<image> (default fortune-sidecar)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

images_from_args "$@"

require_tool node "Install Node.js 22.13 or later (https://nodejs.org/)."
require_docker
version=$(project_version)
revision=$(git_revision)
base_image=${NODE_IMAGE:-$(dockerfile_node_image)}

LOG=$(mktemp "${TMPDIR:-/tmp}/fortune-build.XXXXXX")
on_exit "rm -f '$LOG'"
# run_logged DESCRIPTION COMMAND...: keeps the command's output out of the way unless it fails.
run_logged() {
  local what=$1
  shift
  if ! "$@" >"$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    die "$what failed (above: the end of its output)"
  fi
}

started=$SECONDS
step_start "building the service bundles"
run_logged "building the bundles" node "$REPO_ROOT/scripts/pnpm.mjs" run --silent build
step_done

count=0
total=0
for image in $SELECTED; do total=$((total + 1)); done
summary=""
for image in $SELECTED; do
  count=$((count + 1))
  name=$(image_name "$image")
  step_start "($count/$total) $name:$version from $base_image"
  set -- --build-arg "VERSION=$version" --build-arg "REVISION=${revision:-unknown}" \
    -f "$REPO_ROOT/docker/$image.Dockerfile" -t "$name:$version"
  [ -n "${NODE_IMAGE:-}" ] && set -- "$@" --build-arg "NODE_IMAGE=$NODE_IMAGE"
  [ -n "$revision" ] && set -- "$@" -t "$name:$revision"
  run_logged "docker build of $image" docker build "$@" "$REPO_ROOT"

  # What the image adds on top of its base: the part that is this project's.
  size=$(docker image inspect -f '{{.Size}}' "$name:$version")
  base_size=$(docker image inspect -f '{{.Size}}' "$base_image" 2>/dev/null || echo 0)
  step_done "$(megabytes "$size"), own layers $(megabytes $((size - base_size)))"
  summary="$summary  $name:$version${revision:+ $name:$revision}\n"
done

say "built $total image(s) in $((SECONDS - started)) s:"
printf '%b' "$summary"

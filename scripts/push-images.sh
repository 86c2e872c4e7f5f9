#!/usr/bin/env bash
# Pushes the images that scripts/build-images.sh built to a registry, with both their tags:
# <registry>/fortune-sidecar/<image>:<version> and :<git revision>.
#
#   scripts/push-images.sh                                the k3d registry of scripts/k3d-up.sh
#   REGISTRY=127.0.0.1:5000 scripts/push-images.sh        another registry
#   scripts/push-images.sh web-server                     only this image
#
# Settings (environment):
#   REGISTRY      host:port of the registry (default k3d-fortune-registry.localhost:5050)
#   IMAGE_PREFIX  the name before /<image> (default fortune-sidecar)
# Docker talks plain HTTP only to registries on the loopback address, such as k3d's; any other
# registry needs TLS or an "insecure-registries" entry in the engine's daemon.json.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

images_from_args "$@"
REGISTRY=${REGISTRY:-$DEFAULT_REGISTRY}
case "$REGISTRY" in
  */* | "") die "REGISTRY=\"$REGISTRY\" is not valid: expected host:port, such as 127.0.0.1:5000" ;;
esac

require_tool node "Install Node.js 22.13 or later (https://nodejs.org/)."
require_docker
version=$(project_version)
revision=$(git_revision)

started=$SECONDS
pushed=""
for image in $SELECTED; do
  name=$(image_name "$image")
  docker image inspect "$name:$version" >/dev/null 2>&1 ||
    die "$name:$version is not built: run scripts/build-images.sh first"
  for tag in $version $revision; do
    docker image inspect "$name:$tag" >/dev/null 2>&1 || continue
    target="$REGISTRY/$name:$tag"
    step_start "pushing $target"
    docker tag "$name:$tag" "$target"
    if ! output=$(docker push "$target" 2>&1); then
      printf '%s\n' "$output" >&2
      die "could not push to $REGISTRY. Is the registry running and reachable from here (curl http://$REGISTRY/v2/)? For k3d, run scripts/k3d-up.sh first."
    fi
    digest=$(printf '%s\n' "$output" | sed -n 's/.*digest: \(sha256:[0-9a-f]*\).*/\1/p')
    step_done "$digest"
    pushed="$pushed  $target\n"
  done
done
say "pushed to $REGISTRY in $((SECONDS - started)) s:"
printf '%b' "$pushed"

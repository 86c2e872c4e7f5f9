#!/usr/bin/env bash
# Deletes the k3d cluster, with every pod and volume in it; --registry deletes the registry
# and the images pushed to it as well.
#
#   scripts/k3d-down.sh
#   scripts/k3d-down.sh --registry
#
# Settings (environment):
#   DRY_RUN=1  print the commands instead of running them
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

registry=""
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage && exit 0 ;;
    --registry) registry=1 ;;
    *) usage >&2 && die "unknown argument '$arg'" ;;
  esac
done
[ -n "${DRY_RUN:-}" ] || require_tool k3d "Install k3d (https://k3d.io/#installation)."

step_start "deleting the cluster $K3D_CLUSTER"
run k3d cluster delete "$K3D_CLUSTER"
step_done
if [ -n "$registry" ]; then
  step_start "deleting the registry ${DEFAULT_REGISTRY%:*}"
  run k3d registry delete "${DEFAULT_REGISTRY%:*}"
  step_done
fi

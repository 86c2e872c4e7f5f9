#!/usr/bin/env bash
# Creates the k3d cluster the manifests are written for: one server node, one agent node
# (k3d-fortune-agent-0, where hostPath and local volumes live) and a registry that the host and
# the cluster reach by the same name, k3d-fortune-registry.localhost:5050. Safe to run again.
#
#   scripts/k3d-up.sh             the cluster, the registry, and the agent's volume folders
#   scripts/k3d-up.sh --gitrepo   also turns on the gitRepo volume driver (Kubernetes 1.33 to 1.35)
#
# Settings (environment):
#   K3S_IMAGE   the k3s node image, to choose the Kubernetes version (default: k3d's own choice);
#               with --gitrepo it must be 1.35 or older: from 1.36 the feature gate is locked off
#   DRY_RUN=1   print the commands instead of running them
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

gitrepo=""
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage && exit 0 ;;
    --gitrepo) gitrepo=1 ;;
    *) usage >&2 && die "unknown argument '$arg'" ;;
  esac
done

registry_host=${DEFAULT_REGISTRY%:*}
registry_port=${DEFAULT_REGISTRY##*:}
# k3d prefixes the names of what it creates with k3d-.
registry_name=${registry_host#k3d-}

if [ -z "${DRY_RUN:-}" ]; then
  require_docker
  require_tool k3d "Install k3d (https://k3d.io/#installation), for example: curl -s https://raw.githubusercontent.com/k3d-io/k3d/main/install.sh | bash"
  require_tool kubectl "Install kubectl (https://kubernetes.io/docs/tasks/tools/)."
fi

if [ -z "${DRY_RUN:-}" ] && k3d registry list 2>/dev/null | grep -q "^$registry_host "; then
  say "registry $registry_host already exists"
else
  step_start "creating the registry $registry_host on port $registry_port"
  run k3d registry create "$registry_name" --port "$registry_port"
  step_done "push to $DEFAULT_REGISTRY"
fi

if [ -z "${DRY_RUN:-}" ] && k3d cluster get "$K3D_CLUSTER" >/dev/null 2>&1; then
  say "cluster $K3D_CLUSTER already exists (scripts/k3d-down.sh deletes it)"
else
  set -- cluster create "$K3D_CLUSTER" --servers 1 --agents 1 --registry-use "$DEFAULT_REGISTRY" --wait
  [ -n "${K3S_IMAGE:-}" ] && set -- "$@" --image "$K3S_IMAGE"
  if [ -n "$gitrepo" ]; then
    set -- "$@" \
      --k3s-arg "--kube-apiserver-arg=feature-gates=GitRepoVolumeDriver=true@server:*" \
      --k3s-arg "--kubelet-arg=feature-gates=GitRepoVolumeDriver=true@server:*;agent:*"
  fi
  step_start "creating the cluster $K3D_CLUSTER: one server, one agent (about a minute)"
  run k3d "$@"
  step_done "kubectl context $KUBE_CONTEXT"
fi

# hostPath and local volumes are folders of the node, which nothing creates for them; the
# containers run as uid 1000, and fsGroup does not change the owner of such folders.
step_start "preparing /var/lib/fortune-sidecar on $AGENT_NODE for the hostpath and pv-pvc variants"
run docker exec "$AGENT_NODE" sh -c \
  'mkdir -p /var/lib/fortune-sidecar/htdocs /var/lib/fortune-sidecar/pv && chown -R 1000:1000 /var/lib/fortune-sidecar'
step_done "owned by uid 1000"

step_start "waiting for the nodes to be Ready"
kube wait --for=condition=Ready node --all --timeout=180s
step_done

say "next: scripts/build-images.sh && scripts/push-images.sh, then scripts/k3d-apply.sh emptydir"

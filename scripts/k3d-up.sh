#!/usr/bin/env bash
# Creates the k3d cluster the manifests are written for: one server node, one agent node
# (k3d-fortune-agent-0, where hostPath and local volumes live) and a registry that the host and
# the cluster reach by the same name, k3d-fortune-registry.localhost:5050. The registry has no
# authentication, so it listens on the host's loopback address only. Safe to run again.
#
#   scripts/k3d-up.sh             the cluster, the registry, and the agent's volume folders
#   scripts/k3d-up.sh --gitrepo   a new cluster with the gitRepo volume driver turned on, on
#                                 Kubernetes 1.35 (the gate exists from 1.33 and is locked off
#                                 from 1.36); the pods still need git on the node, which k3s lacks
#
# Settings (environment):
#   K3S_IMAGE   the k3s node image, to choose the Kubernetes version (default: k3d's own choice;
#               with --gitrepo rancher/k3s:v1.35.1-k3s1, and it must be 1.33, 1.34 or 1.35)
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
# The newest Kubernetes whose kubelet and API server still accept GitRepoVolumeDriver=true.
GITREPO_K3S_IMAGE=rancher/k3s:v1.35.1-k3s1

if [ -n "$gitrepo" ]; then
  K3S_IMAGE=${K3S_IMAGE:-$GITREPO_K3S_IMAGE}
  # rancher/k3s:v1.34.1-k3s1 -> 34. The gate is unknown before 1.33, and locked off from 1.36:
  # a kubelet or API server given a gate it does not accept stops at start.
  minor=$(printf '%s\n' "$K3S_IMAGE" | sed -n 's/.*:v1\.\([0-9][0-9]*\)\..*/\1/p')
  case "$minor" in
    33 | 34 | 35) ;;
    *) die "--gitrepo needs Kubernetes 1.33, 1.34 or 1.35 (the GitRepoVolumeDriver gate is unknown before 1.33 and locked off from 1.36), and K3S_IMAGE=$K3S_IMAGE is not one: unset it for $GITREPO_K3S_IMAGE" ;;
  esac
fi

if [ -z "${DRY_RUN:-}" ]; then
  require_docker
  require_tool k3d "Install k3d (https://k3d.io/#installation), for example: curl -s https://raw.githubusercontent.com/k3d-io/k3d/main/install.sh | bash"
  require_tool kubectl "Install kubectl (https://kubernetes.io/docs/tasks/tools/)."
fi

if [ -z "${DRY_RUN:-}" ] && k3d registry list 2>/dev/null | grep -q "^$registry_host "; then
  say "registry $registry_host already exists"
else
  step_start "creating the registry $registry_host on port $registry_port"
  # 127.0.0.1: a registry without authentication, from which the pods pull at every start, is
  # not for the rest of the network. The nodes reach it over k3d's network instead.
  run k3d registry create "$registry_name" --port "127.0.0.1:$registry_port"
  step_done "push to $DEFAULT_REGISTRY"
fi

if [ -z "${DRY_RUN:-}" ] && k3d cluster get "$K3D_CLUSTER" >/dev/null 2>&1; then
  # Feature gates and the node image are chosen when a cluster is created; on an existing
  # cluster --gitrepo would change nothing.
  [ -z "$gitrepo" ] || die "cluster $K3D_CLUSTER already exists, and --gitrepo only applies to a new one: run scripts/k3d-down.sh first (the registry and its images stay)"
  say "cluster $K3D_CLUSTER already exists (scripts/k3d-down.sh deletes it)"
else
  set -- cluster create "$K3D_CLUSTER" --servers 1 --agents 1 --registry-use "$DEFAULT_REGISTRY" --wait
  [ -n "${K3S_IMAGE:-}" ] && set -- "$@" --image "$K3S_IMAGE"
  if [ -n "$gitrepo" ]; then
    # Both read the gate: the kubelet mounts the volume, and the API server's deprecation
    # warning says "disabled by default in v1.33+" while its own gate is off.
    set -- "$@" \
      --k3s-arg "--kube-apiserver-arg=feature-gates=GitRepoVolumeDriver=true@server:*" \
      --k3s-arg "--kubelet-arg=feature-gates=GitRepoVolumeDriver=true@server:*;agent:*"
  fi
  step_start "creating the cluster $K3D_CLUSTER: one server, one agent (about a minute)"
  run k3d "$@"
  step_done "kubectl context $KUBE_CONTEXT"
fi

# hostPath and local volumes are folders of the node, which nothing creates for them. The
# containers run as uid 1000. fsGroup never changes a hostPath folder; it does change a local
# volume's (its group, and group write) when the pod mounts it, but the folder must exist first.
step_start "preparing /var/lib/fortune-sidecar on $AGENT_NODE for the hostpath and pv-pvc variants"
run docker exec "$AGENT_NODE" sh -c \
  'mkdir -p /var/lib/fortune-sidecar/htdocs /var/lib/fortune-sidecar/pv && chown -R 1000:1000 /var/lib/fortune-sidecar'
step_done "owned by uid 1000"

step_start "waiting for the nodes to be Ready"
kube wait --for=condition=Ready node --all --timeout=180s
step_done

say "next: scripts/build-images.sh && scripts/push-images.sh, then scripts/k3d-apply.sh emptydir"

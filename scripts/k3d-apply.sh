#!/usr/bin/env bash
# Applies one volume variant of k8s/ to the k3d cluster with kubectl apply -k, and waits, showing
# the pods' progress, until they are ready: a bare pod with kubectl wait, a StatefulSet or a
# Deployment with kubectl rollout status. kustomize puts the storage (class, volume, claim) before
# the pods that use it; the git server's pod is waited for before the pod that clones, the writer
# before the web servers.
#
#   scripts/k3d-apply.sh emptydir
#   scripts/k3d-apply.sh statefulset
#
# nfs is refused, before anything is applied, when a node of the cluster has no mount.nfs (no
# k3d node has one), since its pods would wait in ContainerCreating, or while
# k8s/nfs/kustomization.yaml still names the placeholder server. docs/guide/nfs.md says what the
# variant needs.
#
# Settings (environment):
#   KUBE_CONTEXT  the kubectl context (default k3d-fortune, the cluster of scripts/k3d-up.sh)
#   TIMEOUT       how long to wait for each pod, StatefulSet or Deployment, in seconds (default 180)
#   DRY_RUN=1     print the kubectl commands instead of running them
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# The server that k8s/nfs/kustomization.yaml names until it is given a real one.
NFS_PLACEHOLDER=nfs-server.example.invalid

# The checks of the nfs variant. The kubelet mounts an NFS volume on the node, with the node's
# mount.nfs; without it the pods wait in ContainerCreating, retrying, and say why only in their
# events.
require_nfs_ready() {
  local node missing="" unchecked=""
  # First the nodes, which a stock k3d cluster cannot fix, then the server, which is one edit.
  if [ -z "${DRY_RUN:-}" ]; then
    for node in $(kubectl --context "$KUBE_CONTEXT" get nodes --output name | sed 's|^node/||'); do
      # A k3d node is a container of the local Docker engine; another cluster's node is not, and
      # is left to its administrator.
      if ! command -v docker >/dev/null 2>&1 || ! docker container inspect "$node" >/dev/null 2>&1; then
        unchecked="$unchecked $node"
      elif ! docker exec "$node" sh -c 'command -v mount.nfs || [ -x /sbin/mount.nfs ]' >/dev/null 2>&1; then
        missing="$missing $node"
      fi
    done
  fi
  if [ -n "$missing" ]; then
    die "the node(s)${missing} cannot mount NFS: no mount.nfs, the NFS client (nfs-common on Debian and Ubuntu, nfs-utils on Fedora and RHEL), which the k3s image of a k3d node does not have. The pods would stay in ContainerCreating. See docs/guide/nfs.md."
  fi
  if kubectl kustomize "$REPO_ROOT/k8s/nfs" | grep -q "server: $NFS_PLACEHOLDER"; then
    die "k8s/nfs names no NFS server yet: set yours and the folder it exports in the CHANGE ME patch of k8s/nfs/kustomization.yaml ($NFS_PLACEHOLDER and /exports/fortune are placeholders). See docs/guide/nfs.md."
  fi
  if [ -n "$unchecked" ]; then
    say "not checked for mount.nfs (not containers of the local Docker engine):$unchecked. Each node that runs these pods needs the NFS client."
  fi
}

variant_from_args "$@"
variant=$VARIANT
require_kubectl
cd "$REPO_ROOT"

[ "$variant" != nfs ] || require_nfs_ready
# The image names and the registry come from k8s/images, a kustomize Component each variant
# includes: another registry is one change there (k8s/README.md).
pods=$(variant_pods "$variant")
workloads=$(variant_workloads "$variant")
kube apply -k "k8s/$variant"
for pod in $pods; do
  wait_ready "$pod"
done
for workload in $workloads; do
  wait_rollout "$workload"
done
say "next: scripts/k3d-curl.sh (or kubectl --context $KUBE_CONTEXT port-forward svc/fortune 8080:80, then open http://localhost:8080)"

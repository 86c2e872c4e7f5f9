#!/usr/bin/env bash
# Applies one volume variant of k8s/ to the k3d cluster and waits, showing the pod's progress,
# until its pod is ready: the storage first (class, volume, claim), then the pods and services.
#
#   scripts/k3d-apply.sh emptydir
#   scripts/k3d-apply.sh pv-pvc
#
# Settings (environment):
#   KUBE_CONTEXT  the kubectl context (default k3d-fortune, the cluster of scripts/k3d-up.sh)
#   TIMEOUT       how long to wait for the pod, in seconds (default 180)
#   DRY_RUN=1     print the kubectl commands instead of running them
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

variant_from_args "$@"
variant=$VARIANT
require_kubectl
cd "$REPO_ROOT"

# Storage before the pods that use it, and the git server before the pod that clones from it.
for file in storageclass pv pvc git-server pod service; do
  [ -f "k8s/$variant/$file.yaml" ] && kube apply -f "k8s/$variant/$file.yaml"
done

[ -f "k8s/$variant/git-server.yaml" ] && wait_ready git-server
wait_ready fortune
say "next: scripts/k3d-curl.sh (or kubectl --context $KUBE_CONTEXT port-forward svc/fortune 8080:80, then open http://localhost:8080)"

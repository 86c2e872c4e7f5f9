#!/usr/bin/env bash
# Applies one volume variant of k8s/ to the k3d cluster with kubectl apply -k, and waits, showing
# the pods' progress, until they are ready. kustomize puts the storage (class, volume, claim)
# before the pods that use it; the git server's pod is waited for before the pod that clones.
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

# The image names and the registry come from k8s/images, a kustomize Component each variant
# includes: another registry is one change there (k8s/README.md).
pods=$(variant_pods "$variant")
kube apply -k "k8s/$variant"
for pod in $pods; do
  wait_ready "$pod"
done
say "next: scripts/k3d-curl.sh (or kubectl --context $KUBE_CONTEXT port-forward svc/fortune 8080:80, then open http://localhost:8080)"

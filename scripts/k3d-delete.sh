#!/usr/bin/env bash
# Deletes one variant in the order the seed explains: the pods first, then the claim, then the
# rest of the variant's kustomization (kubectl delete -k), the volume and its class among them.
# A claim whose pod still runs stays Terminating, and so does a volume whose claim is still
# bound; in this order each deletion can finish.
#
#   scripts/k3d-delete.sh pv-pvc
#
# Settings (environment):
#   KUBE_CONTEXT  the kubectl context (default k3d-fortune)
#   DRY_RUN=1     print the kubectl commands instead of running them
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

variant_from_args "$@"
variant=$VARIANT
require_kubectl
cd "$REPO_ROOT"

# Every object of a variant carries the label fortune-sidecar/variant=<variant>.
selector=fortune-sidecar/variant=$variant
step_start "deleting the pods of $variant"
kube delete pods --selector "$selector" --ignore-not-found --wait=true
step_done
step_start "deleting the claims of $variant"
kube delete persistentvolumeclaims --selector "$selector" --ignore-not-found --wait=true
step_done
step_start "deleting the rest of k8s/$variant"
kube delete -k "k8s/$variant" --ignore-not-found --wait=true
step_done
if [ -f "k8s/$variant/pv.yaml" ]; then
  say "the volume's files stay on $AGENT_NODE (reclaim policy Retain): docker exec $AGENT_NODE ls /var/lib/fortune-sidecar/pv"
fi

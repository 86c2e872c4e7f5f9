#!/usr/bin/env bash
# Deletes one variant in the order the seed explains: what runs the pods first (a StatefulSet or
# Deployments, with their pods, or the bare pods), then the claims, then the rest of the
# variant's kustomization (kubectl delete -k), the volume and its class among them. A claim whose
# pod still runs stays Terminating, and so does a volume whose claim is still bound; a pod of a
# StatefulSet or Deployment deleted alone comes back. In this order each deletion can finish.
#
#   scripts/k3d-delete.sh pv-pvc
#   scripts/k3d-delete.sh statefulset   # its claims too, html-fortune-0, ..., which kubectl delete -k keeps
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

pods=$(variant_pods "$variant")
workloads=$(variant_workloads "$variant")
# Every object of a variant carries the label fortune-sidecar/variant=<variant>, and so do the
# claims a StatefulSet makes from its volumeClaimTemplates, whose labels say so too: kubectl
# delete -k knows nothing of those claims, the selector finds them.
selector=fortune-sidecar/variant=$variant
if [ -n "$workloads" ]; then
  step_start "deleting $(printf '%s\n' "$workloads" | tr '\n' ' ')with the pods they run"
  # Foreground: the deletion ends once the pods are gone, so that the claims are free.
  # shellcheck disable=SC2086 # one argument per workload
  kube delete $workloads --cascade=foreground --ignore-not-found --wait=true
  step_done
fi
if [ -n "$pods" ]; then
  step_start "deleting the pods of $variant"
  kube delete pods --selector "$selector" --ignore-not-found --wait=true
  step_done
fi
step_start "deleting the claims of $variant"
kube delete persistentvolumeclaims --selector "$selector" --ignore-not-found --wait=true
step_done
step_start "deleting the rest of k8s/$variant"
kube delete -k "k8s/$variant" --ignore-not-found --wait=true
step_done
case "$variant" in
  pv-pvc)
    say "the volume's files stay on $AGENT_NODE (reclaim policy Retain): docker exec $AGENT_NODE ls /var/lib/fortune-sidecar/pv"
    ;;
  nfs)
    say "the files stay on the NFS server, in the folder k8s/nfs/kustomization.yaml names (reclaim policy Retain)"
    ;;
  statefulset)
    say "the claims' volumes went with them, and their files (local-path, reclaim policy Delete)"
    ;;
esac

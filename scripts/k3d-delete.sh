#!/usr/bin/env bash
# Deletes one variant in the order the seed explains: the pod first, then the claim, then the
# volume. A claim whose pod still runs stays Terminating, and so does a volume whose claim is
# still bound; in this order each deletion can finish.
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

for file in service pod git-server pvc pv storageclass; do
  manifest=k8s/$variant/$file.yaml
  [ -f "$manifest" ] || continue
  step_start "deleting $manifest"
  kube delete -f "$manifest" --ignore-not-found --wait=true
  step_done
done
if [ -f "k8s/$variant/pv.yaml" ]; then
  say "the volume's files stay on $AGENT_NODE (reclaim policy Retain): docker exec $AGENT_NODE ls /var/lib/fortune-sidecar/pv"
fi

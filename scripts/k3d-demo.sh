#!/usr/bin/env bash
# Shows the point of the variant that scripts/k3d-apply.sh started, on the running cluster:
#   emptydir, emptydir-memory  a new pod starts with an empty history (and tmpfs shows in df)
#   hostpath                   the files are on the node, and a new pod on that node keeps them
#   pv-pvc, storageclass       the claim keeps the history across pods; the volumes it bound
#   git-sync, git-sync-native  a commit pushed to the git server is served within one period
#   gitrepo                    the pod that never starts, and the kubelet's reason
#   configmap                  a new list in the ConfigMap is served without a restart, within
#                              about a minute; the copy mounted with subPath keeps the old list
#   secret                     the password file's mode and owner in git-sync; a password rotated
#                              in the Secret (git server and git-sync both) and a pushed commit
#                              served without a restart
#   downwardapi, projected     a new pod label reaches the volume's labels file without a
#                              restart, while the environment keeps the value it had at start;
#                              projected first lists its one folder of ConfigMap, downward API
#                              and Secret files with their modes
#
#   scripts/k3d-demo.sh emptydir
#
# Settings (environment):
#   KUBE_CONTEXT  the kubectl context (default k3d-fortune)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

variant_from_args "$@"
variant=$VARIANT
[ -z "${DRY_RUN:-}" ] || die "the demo reads from the running cluster: DRY_RUN is not supported here"
require_kubectl
cd "$REPO_ROOT"

# fetch PATH: one answer of the web server, through a port-forward that ends with it.
fetch() {
  port_forward svc/fortune 80
  http_get "http://127.0.0.1:$FORWARDED_PORT$1"
  kill "$FORWARD_PID" 2>/dev/null || true
}

history_length() {
  fetch /history.json | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).fortunes.length))'
}

# Lets the writer add a few fortunes, then deletes the pod, creates it again, and compares.
recreate_and_compare() {
  local before after
  say "waiting for three fortunes in the history (one every 10 s)"
  before=$(history_length)
  while [ "$before" -lt 3 ]; do
    sleep 5
    before=$(history_length)
  done
  say "history before: $before fortunes"
  step_start "deleting pod fortune and creating it again"
  kube delete pod fortune --wait=true
  # Applying the whole variant again creates only what is missing: the pod.
  kube apply -k "k8s/$variant"
  step_done
  wait_ready fortune
  after=$(history_length)
  say "history after:  $after fortunes"
  if [ "$after" -lt "$before" ]; then
    say "=> the history started over: the volume went with the pod"
  else
    say "=> the history is still there: the volume outlived the pod"
  fi
}

# The ConfigMap fortune-list with TEXT as its list, as kubectl apply -k k8s/configmap applies
# it: the same name and labels, so the apply replaces only the list.
apply_fortune_list() {
  local file
  file=$(mktemp "${TMPDIR:-/tmp}/fortunes.XXXXXX")
  on_exit "rm -f '$file'"
  printf '%s\n' "$1" >"$file"
  kubectl create configmap fortune-list --from-file=fortunes.txt="$file" --dry-run=client --output yaml |
    kubectl label --local --filename - --output yaml fortune-sidecar/variant=configmap \
      app.kubernetes.io/name=fortune app.kubernetes.io/part-of=fortune-sidecar |
    kube apply --filename -
}

case "$variant" in
  configmap)
    say "now served, from the list in the ConfigMap fortune-list:"
    fetch /
    message="Changed at $(date +%H:%M:%S): a new list, and no restart."
    apply_fortune_list "$message"
    # The kubelet swaps the new list in at its next sync of the pod (about a minute apart), and
    # the writer uses it from its next fortune (10 s apart).
    step_start "waiting for the kubelet to swap the new list in and the writer to write from it"
    deadline=$((SECONDS + 180))
    while [ "$(fetch /)" != "$message" ]; do
      [ $SECONDS -lt $deadline ] ||
        die "not served after 180 s: kubectl --context $KUBE_CONTEXT logs fortune -c html-generator says which list the writer uses"
      sleep 2
    done
    step_done "served \"$message\""
    say "the writer's log:"
    kube logs fortune -c html-generator | grep -E 'Using [0-9]+ fortunes? from' || true
    say "the pod, never restarted:"
    kube get pod fortune
    say "/etc/fortunes/fortunes.txt, the folder mount the writer reads:"
    kube exec fortune -c html-generator -- cat /etc/fortunes/fortunes.txt
    say "/etc/fortunes-subpath/fortunes.txt, the same key mounted with subPath:"
    kube exec fortune -c html-generator -- cat /etc/fortunes-subpath/fortunes.txt
    say "=> the folder followed the ConfigMap; the subPath copy kept the list the container started with"
    say "   kubectl apply -k k8s/configmap puts the first list back"
    ;;
  downwardapi | projected)
    folder=/etc/podinfo
    if [ "$variant" = projected ]; then
      folder=/etc/fortune
      say "one folder, four sources' files:"
      kube exec fortune -c html-generator -- sh -c "ls -lL $folder/*"
    fi
    label=fortune-sidecar/color
    in_volume() { kube exec fortune -c html-generator -- cat "$folder/labels" | grep "^$label=" || true; }
    now=$(in_volume)
    say "the label in the volume: $now"
    next=green
    [ "$now" != "$label=\"green\"" ] || next=blue
    step_start "labelling the pod $label=$next; waiting for the volume to show it"
    kube label pod fortune --overwrite "$label=$next" >/dev/null
    # The kubelet rewrites the files when it syncs the pod: often within seconds, at the latest
    # at its periodic sync (a minute by default).
    deadline=$((SECONDS + 150))
    until [ "$(in_volume)" = "$label=\"$next\"" ]; do
      [ $SECONDS -lt $deadline ] ||
        die "the volume still says $(in_volume) after 150 s: kubectl --context $KUBE_CONTEXT describe pod fortune says why"
      sleep 1
    done
    step_done "rewritten by the kubelet, without restarting the pod"
    say "in the volume now:              $(in_volume)"
    say "in the environment since start: $(kube exec fortune -c html-generator -- printenv FORTUNE_LABEL_AT_START)"
    say "=> the volume follows the label; the environment keeps the value it had at start"
    ;;
  secret)
    require_tool git "Install git (Debian and Ubuntu: apt-get install git)."
    say "the Secret volume as git-sync sees it: tmpfs, the key a link through ..data"
    kube exec fortune -c git-sync -- df -h /etc/git-secret
    kube exec fortune -c git-sync -- ls -la /etc/git-secret
    say "the password file itself: readable by its group, the pod's fsGroup, and by no one else"
    kube exec fortune -c git-sync -- sh -c 'ls -lL /etc/git-secret/password; id'
    say "now served:"
    fetch /
    password=$(node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))')
    step_start "rotating the password in the Secret git-credentials, which both pods mount"
    # The labels the kustomization gives it, which kubectl apply would otherwise remove.
    kubectl create secret generic git-credentials --from-literal=password="$password" \
      --dry-run=client --output yaml |
      kubectl label --local --filename - --output yaml fortune-sidecar/variant=secret \
        app.kubernetes.io/name=fortune app.kubernetes.io/part-of=fortune-sidecar |
      kube apply --filename - >/dev/null
    step_done
    # Each pod's kubelet writes the new file at its next sync of the pod (a minute apart by
    # default), the git server's and git-sync's independently.
    port_forward svc/git-server 8080
    remote="http://fortune:$password@127.0.0.1:$FORWARDED_PORT/site.git"
    step_start "waiting for the git server to ask for the new password"
    deadline=$((SECONDS + 180))
    until GIT_TERMINAL_PROMPT=0 git ls-remote "$remote" >/dev/null 2>&1; do
      [ $SECONDS -lt $deadline ] ||
        die "the git server still refuses the new password after 180 s: kubectl --context $KUBE_CONTEXT logs git-server says why"
      sleep 2
    done
    step_done
    step_start "waiting for git-sync's file to hold it"
    deadline=$((SECONDS + 180))
    until [ "$(kube exec fortune -c git-sync -- cat /etc/git-secret/password)" = "$password" ]; do
      [ $SECONDS -lt $deadline ] ||
        die "/etc/git-secret/password in git-sync still holds the old password after 180 s"
      sleep 2
    done
    step_done
    work=$(mktemp -d "${TMPDIR:-/tmp}/fortune-site.XXXXXX")
    on_exit "rm -rf '$work'"
    git clone --quiet "$remote" "$work"
    message="Pushed at $(date +%H:%M:%S), with a rotated password."
    printf '%s\n' "$message" >"$work/index.txt"
    git -C "$work" -c user.name=fortune-sidecar -c user.email=demo@fortune-sidecar.invalid \
      commit --quiet --all --message "$message"
    git -C "$work" push --quiet origin HEAD:main
    # Syncs that failed while the two copies of the password differed make git-sync wait longer
    # before the next one (5 s, 10 s, 20 s, ...).
    step_start "pushed \"$message\"; waiting for the web server to serve it"
    deadline=$((SECONDS + 240))
    until [ "$(fetch /)" = "$message" ]; do
      [ $SECONDS -lt $deadline ] ||
        die "not served after 240 s: kubectl --context $KUBE_CONTEXT logs fortune -c git-sync says why"
      sleep 1
    done
    step_done "served"
    say "the pod, never restarted:"
    kube get pod fortune
    say "=> git-sync read the rotated password from its Secret volume at a later sync, without a restart"
    say "   kubectl apply -k k8s/secret puts the demo password back"
    ;;
  emptydir)
    recreate_and_compare
    ;;
  emptydir-memory)
    say "the volume as the writer sees it:"
    kube exec fortune -c html-generator -- df -h /var/htdocs
    say "=> tmpfs: in memory, no larger than the sizeLimit"
    recreate_and_compare
    ;;
  hostpath)
    say "the files on the node $AGENT_NODE:"
    docker exec "$AGENT_NODE" ls -l /var/lib/fortune-sidecar/htdocs
    recreate_and_compare
    ;;
  pv-pvc | storageclass)
    kube get storageclass,pv,pvc
    recreate_and_compare
    ;;
  gitrepo)
    # The kubelet fills a gitRepo volume by running git on the node, and a k3s node has none:
    # the pod stays in ContainerCreating, whether the driver is off (the default from 1.33) or on.
    say "the pod, which does not start:"
    kube get pod fortune
    say "why, in the kubelet's words:"
    kube get events --field-selector involvedObject.name=fortune,reason=FailedMount \
      --output custom-columns=COUNT:.count,MESSAGE:.message
    say "=> nothing fills the volume here: scripts/k3d-apply.sh git-sync shows the replacement"
    ;;
  git-sync | git-sync-native)
    require_tool git "Install git (Debian and Ubuntu: apt-get install git)."
    say "now served:"
    fetch /
    work=$(mktemp -d "${TMPDIR:-/tmp}/fortune-site.XXXXXX")
    on_exit "rm -rf '$work'"
    port_forward svc/git-server 9418
    git clone --quiet "git://127.0.0.1:$FORWARDED_PORT/site.git" "$work"
    message="Pushed at $(date +%H:%M:%S)."
    printf '%s\n' "$message" >"$work/index.txt"
    git -C "$work" -c user.name=fortune-sidecar -c user.email=demo@fortune-sidecar.invalid \
      commit --quiet --all --message "$message"
    git -C "$work" push --quiet origin HEAD:main
    step_start "pushed \"$message\"; waiting for the web server to serve it"
    for _ in $(seq 1 60); do
      if [ "$(fetch /)" = "$message" ]; then
        step_done "served, without restarting the pod"
        exit 0
      fi
      sleep 0.5
    done
    die "not served after 30 s: kubectl --context $KUBE_CONTEXT logs fortune -c git-sync says why"
    ;;
esac

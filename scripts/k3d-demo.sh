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
#   statefulset                each replica's claim and history; scaled to 1, fortune-1's claim
#                              html-fortune-1 stays Bound, and scaled back to 2, fortune-1 finds
#                              the history it had
#   nfs                        two web servers on two nodes serve the same history; a new writer
#                              pod, perhaps on another node, continues it
#
#   scripts/k3d-demo.sh emptydir
#
# Settings (environment):
#   KUBE_CONTEXT  the kubectl context (default k3d-fortune)
#   TIMEOUT       how long to wait for a pod or a rollout, in seconds (default 180)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

variant_from_args "$@"
variant=$VARIANT
[ -z "${DRY_RUN:-}" ] || die "the demo reads from the running cluster: DRY_RUN is not supported here"
require_kubectl
cd "$REPO_ROOT"

# fetch PATH [TARGET PORT]: one answer of the web server, through a port-forward that ends with
# it: the Service fortune unless a pod is named (pod/fortune-1 8080), since a port-forward to a
# Service connects to one of its pods, whichever.
fetch() {
  port_forward "${2:-svc/fortune}" "${3:-80}"
  http_get "http://127.0.0.1:$FORWARDED_PORT$1"
  kill "$FORWARD_PID" 2>/dev/null || true
}

# history_query EXPRESSION [TARGET PORT]: prints EXPRESSION, JavaScript of h, the history.json
# the web server serves.
history_query() {
  fetch /history.json "${2:-}" "${3:-}" |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(Function("h", "return " + process.argv[1])(JSON.parse(s))))' "$1"
}

history_length() {
  history_query h.fortunes.length "$@"
}

# fortunes N: "1 fortune" or "N fortunes", as the demo's lines say them.
fortunes() {
  if [ "$1" = 1 ]; then printf '1 fortune'; else printf '%s fortunes' "$1"; fi
}

# wait_for_three_fortunes [TARGET PORT]: waits until the history holds three fortunes, so that
# a history kept and one started over differ; prints how many it holds.
wait_for_three_fortunes() {
  local count
  count=$(history_length "$@")
  while [ "$count" -lt 3 ]; do
    sleep 5
    count=$(history_length "$@")
  done
  printf '%s\n' "$count"
}

# Lets the writer add a few fortunes, then deletes the pod, creates it again, and compares.
recreate_and_compare() {
  local before after
  say "waiting for three fortunes in the history (one every 10 s)"
  before=$(wait_for_three_fortunes)
  say "history before: $(fortunes "$before")"
  step_start "deleting pod fortune and creating it again"
  kube delete pod fortune --wait=true
  # Applying the whole variant again creates only what is missing: the pod.
  kube apply -k "k8s/$variant"
  step_done
  wait_ready fortune
  after=$(history_length)
  say "history after:  $(fortunes "$after")"
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

# push_site REMOTE MESSAGE: a commit of the site repository at REMOTE whose index.txt is MESSAGE,
# pushed to its main branch from a clone removed at exit.
push_site() {
  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/fortune-site.XXXXXX")
  on_exit "rm -rf '$work'"
  git clone --quiet "$1" "$work"
  printf '%s\n' "$2" >"$work/index.txt"
  git -C "$work" -c user.name=fortune-sidecar -c user.email=demo@fortune-sidecar.invalid \
    commit --quiet --all --message "$2"
  git -C "$work" push --quiet origin HEAD:main
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
    message="Pushed at $(date +%H:%M:%S), with a rotated password."
    push_site "$remote" "$message"
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
  statefulset)
    say "each replica, its own claim and its own history:"
    for replica in fortune-0 fortune-1; do
      say "  $replica: claim html-$replica $(kube get pvc "html-$replica" --output 'jsonpath={.status.phase}'), $(fortunes "$(history_length "pod/$replica" 8080)")"
    done
    say "waiting for three fortunes in fortune-1's history (one every 10 s)"
    before=$(wait_for_three_fortunes pod/fortune-1 8080)
    say "fortune-1's history before: $(fortunes "$before")"
    step_start "scaling statefulset/fortune to 1 replica: the highest, fortune-1, goes"
    kube scale statefulset/fortune --replicas=1
    kube wait --for=delete pod/fortune-1 --timeout="${TIMEOUT:-180}s"
    step_done
    kube get pods,pvc --selector fortune-sidecar/variant=statefulset
    phase=$(kube get pvc html-fortune-1 --output 'jsonpath={.status.phase}')
    [ "$phase" = Bound ] ||
      die "the claim html-fortune-1 is ${phase:-gone}, not Bound: persistentVolumeClaimRetentionPolicy in k8s/statefulset/statefulset.yaml says when claims go"
    say "=> the claim html-fortune-1 stays Bound without its replica (whenScaled: Retain)"
    step_start "scaling statefulset/fortune back to 2 replicas"
    kube scale statefulset/fortune --replicas=2
    step_done
    wait_rollout statefulset/fortune
    after=$(history_length pod/fortune-1 8080)
    say "fortune-1's history after:  $(fortunes "$after")"
    if [ "$after" -lt "$before" ]; then
      say "=> fortune-1's history started over: it did not get its claim back"
    else
      say "=> fortune-1 came back to its claim html-fortune-1, and to the history it had"
    fi
    ;;
  nfs)
    say "the pods, and their nodes:"
    kube get pods --output wide --selector fortune-sidecar/variant=nfs
    web=$(kube get pods --selector app.kubernetes.io/name=fortune \
      --output 'jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName}{"\n"}{end}')
    # A fortune written between two reads makes them differ by one: read again.
    for _ in 1 2 3 4 5; do
      seen="" nodes="" node_count=0 same=1
      for entry in $web; do
        summary=$(history_query 'h.fortunes.length + " fortunes, the newest written at " + h.fortunes[0]?.writtenAt + " by " + h.fortunes[0]?.host' "pod/${entry%%=*}" 8080)
        [ -z "$seen" ] || [ "$summary" = "$seen" ] || same=""
        seen=$summary
        say "  ${entry%%=*} on ${entry#*=}: $summary"
        case " $nodes " in
          *" ${entry#*=} "*) ;;
          *) nodes="$nodes ${entry#*=}" node_count=$((node_count + 1)) ;;
        esac
      done
      [ -z "$same" ] || break
      sleep 1
    done
    [ -n "$same" ] || die "the web servers serve different histories: kubectl --context $KUBE_CONTEXT describe pods --selector fortune-sidecar/variant=nfs says which volume each mounted"
    if [ "$node_count" -gt 1 ]; then
      say "=> the same history from the nodes$nodes: each mounts the one share"
    else
      say "=> the same history, from one node only,$nodes: with a second node, the spread constraint puts a web server on each"
    fi
    old=$(kube get pods --selector app.kubernetes.io/name=fortune-writer --output 'jsonpath={.items[0].metadata.name}')
    say "waiting for three fortunes in the history (one every 10 s)"
    before=$(wait_for_three_fortunes)
    say "history before: $(fortunes "$before"); the writer's pod is $old"
    step_start "deleting the writer's pod $old: its Deployment starts another"
    kube delete pod "$old" --wait=true
    step_done
    deadline=$((SECONDS + ${TIMEOUT:-180}))
    new=""
    while [ -z "$new" ]; do
      [ $SECONDS -lt $deadline ] || die "no new writer pod after ${TIMEOUT:-180} s: kubectl --context $KUBE_CONTEXT describe deployment fortune-writer says why"
      for pod in $(kube get pods --selector app.kubernetes.io/name=fortune-writer --output 'jsonpath={.items[*].metadata.name}'); do
        [ "$pod" = "$old" ] || new=$pod
      done
      [ -n "$new" ] || sleep 1
    done
    wait_ready "$new"
    step_start "waiting for $new's first fortune"
    deadline=$((SECONDS + 60))
    until [ "$(history_query 'h.fortunes[0]?.host')" = "$new" ]; do
      [ $SECONDS -lt $deadline ] || die "$new wrote nothing in 60 s: kubectl --context $KUBE_CONTEXT logs $new says why"
      sleep 2
    done
    step_done
    after=$(history_length)
    kept=$(history_query "h.fortunes.filter((f) => f.host === '$old').length")
    say "history after:  $(fortunes "$after"), $kept of them written by $old"
    if [ "$kept" -gt 0 ]; then
      say "=> the new writer $new, on $(kube get pod "$new" --output 'jsonpath={.spec.nodeName}'), continued the history on the share"
    else
      say "=> the history started over: the new writer found nothing of $old's on the share"
    fi
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
    port_forward svc/git-server 9418
    message="Pushed at $(date +%H:%M:%S)."
    push_site "git://127.0.0.1:$FORWARDED_PORT/site.git" "$message"
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

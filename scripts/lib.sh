# Shared by the scripts in this folder: messages, timings, tool checks, the Docker client and
# the image names. Sourced, not run. Written for bash 3.2 as well, which macOS still ships.
# shellcheck shell=bash
# Variables here are used by the scripts that source this file.
# shellcheck disable=SC2034

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPT_NAME=$(basename "$0" .sh)

# The images this project builds, in build order.
IMAGES="fortune-writer web-server git-sync"
# Images are named <prefix>/<image>:<tag>; pushing prepends <registry>/.
IMAGE_PREFIX=${IMAGE_PREFIX:-fortune-sidecar}
# The registry that scripts/k3d-up.sh creates: k3d names it k3d-<name>, and *.localhost resolves
# to the loopback address, so the host and the cluster reach it by the same name.
DEFAULT_REGISTRY=k3d-fortune-registry.localhost:5050
# The k3d cluster scripts/k3d-up.sh creates; its nodes are k3d-<name>-server-0 and k3d-<name>-agent-0.
K3D_CLUSTER=fortune

# The comment block at the top of the running script is its help text.
usage() {
  awk 'NR == 1 { next } /^#/ && !/^# shellcheck/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
}

# on_exit COMMAND: runs COMMAND when the script ends, after those registered later. A subshell
# ($(fetch /)) inherits the list but not the trap: one that registers starts a list of its own, so
# that its exit does not kill the script's port-forwards or remove its files.
EXIT_ACTIONS=":"
on_exit() {
  if [ "${EXIT_ACTIONS_OF:-}" != "$BASHPID" ]; then
    EXIT_ACTIONS=":"
    EXIT_ACTIONS_OF=$BASHPID
  fi
  EXIT_ACTIONS="$1; $EXIT_ACTIONS"
  # Without set +e, a clean-up that fails (killing a port-forward that fetch already ended) would
  # stop the trap under set -e and turn the script's exit status into 1, even after a success.
  trap 'set +e; eval "$EXIT_ACTIONS"' EXIT
}

say() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*"; }
die() {
  printf '[%s] error: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 1
}

# require_tool NAME HOW-TO-INSTALL: stops with one message when a command is missing.
require_tool() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed. $2"
}

# step_start / step_done print what runs and, at the end, how long it took.
STEP_STARTED=0
step_start() {
  STEP_STARTED=$SECONDS
  say "$*"
}
step_done() {
  say "  done in $((SECONDS - STEP_STARTED)) s${1:+: $1}"
}

project_version() {
  node -p "require('$REPO_ROOT/package.json').version"
}

# The short commit of the checkout, with -dirty when it has uncommitted changes; empty outside git.
git_revision() {
  local revision
  revision=$(git -C "$REPO_ROOT" rev-parse --short=12 HEAD 2>/dev/null) || return 0
  if [ -n "$(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    revision="$revision-dirty"
  fi
  printf '%s\n' "$revision"
}

# images_from_args ARG...: sets SELECTED to the images named (all when none), handling --help.
images_from_args() {
  SELECTED=""
  local arg
  for arg in "$@"; do
    case "$arg" in
      -h | --help) usage && exit 0 ;;
      -*) usage >&2 && die "unknown option '$arg'" ;;
      *)
        case " $IMAGES " in
          *" $arg "*) SELECTED="$SELECTED $arg" ;;
          *) die "unknown image '$arg': the images are $IMAGES" ;;
        esac
        ;;
    esac
  done
  SELECTED=${SELECTED:-$IMAGES}
}

image_name() {
  printf '%s/%s\n' "$IMAGE_PREFIX" "$1"
}

# The base image the Dockerfiles build on when NODE_IMAGE is not given, node:<version>-<suite>-slim,
# which sets the images' Node.js version. compose.yaml and docs/containers.md repeat it; the
# container test fails when any of them, or the three Dockerfiles, disagree.
dockerfile_node_image() {
  sed -n 's/^ARG NODE_IMAGE=//p' "$REPO_ROOT/docker/fortune-writer.Dockerfile"
}

# Checks that a Docker engine answers and picks a builder the client can use.
require_docker() {
  require_tool docker "Install Docker (https://docs.docker.com/engine/install/; on Debian: apt-get install docker.io), or run scripts/install-container-tools.sh as root."
  if ! docker info >/dev/null 2>&1; then
    die "the Docker engine does not answer (docker info failed). Start it: 'systemctl start docker', or without systemd 'dockerd >/tmp/dockerd.log 2>&1 &'."
  fi
  # Docker 23 and later build with BuildKit through the buildx plugin and stop with "BuildKit is
  # enabled but the buildx component is missing" without it. Debian's Docker 20.10 client has no
  # buildx either. The classic builder works with both and these Dockerfiles need nothing more.
  if [ -z "${DOCKER_BUILDKIT:-}" ] && ! docker buildx version >/dev/null 2>&1; then
    export DOCKER_BUILDKIT=0
  fi
}

# Bytes as MB with one decimal, for progress lines and size tables.
megabytes() {
  awk -v bytes="$1" 'BEGIN { printf "%.1f MB", bytes / 1000000 }'
}

# The Kubernetes context of the k3d cluster: the k3d scripts never touch another cluster.
KUBE_CONTEXT=${KUBE_CONTEXT:-k3d-$K3D_CLUSTER}
AGENT_NODE=k3d-$K3D_CLUSTER-agent-0

# run COMMAND...: runs a command that changes something, or with DRY_RUN=1 only prints it,
# quoted for the shell: the printed line, pasted into bash, runs the same command.
run() {
  if [ -n "${DRY_RUN:-}" ]; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

kube() {
  run kubectl --context "$KUBE_CONTEXT" "$@"
}

# The volume variants: the folders of k8s/ that kubectl apply -k takes (a kustomization.yaml),
# each with the Service fortune that k3d-curl.sh reaches, whether its pods come from a Pod, a
# StatefulSet or Deployments. Two folders are parts that variants include, not variants: k8s/images
# (the image names and the registry, written once) and k8s/git-server. Naming the parts, rather
# than guessing from the files, keeps a new variant from being missed; k8s/test/manifests.test.ts
# names the same two.
K8S_PARTS="git-server images"
variants() {
  local dir name
  for dir in "$REPO_ROOT"/k8s/*/; do
    dir=${dir%/}
    name=${dir##*/}
    case " $K8S_PARTS " in
      *" $name "*) continue ;;
    esac
    if [ -f "$dir/kustomization.yaml" ]; then printf '%s\n' "$name"; fi
  done | LC_ALL=C sort
}

# variant_objects VARIANT KIND...: kind/name (kind in lower case, as kubectl takes it) of each
# object of those kinds that the variant's kustomization makes, from kubectl kustomize, which
# renders offline. Those named fortune come last: the git server and the writer make what the
# web server fortune serves.
variant_objects() {
  local variant=$1
  shift
  kubectl kustomize "$REPO_ROOT/k8s/$variant" | awk -v kinds=" $* " '
    function flush() {
      if (index(kinds, " " kind " ") && name != "") {
        if (name == "fortune") last = last " " tolower(kind) "/" name
        else first = first " " tolower(kind) "/" name
      }
      kind = ""; name = ""; meta = 0
    }
    /^---/ { flush(); next }
    /^kind: / { kind = $2 }
    /^metadata:/ { meta = 1; next }
    /^[^ ]/ { meta = 0 }
    meta && /^  name: / && name == "" { name = $2 }
    END {
      flush()
      n = split(first last, list, " ")
      for (i = 1; i <= n; i++) print list[i]
    }
  '
}

# variant_pods VARIANT: the names of the bare pods the variant makes, the git server first (its
# clients clone from it).
variant_pods() {
  variant_objects "$1" Pod | sed 's|^pod/||'
}

# variant_workloads VARIANT: the variant's StatefulSets and Deployments, as kind/name.
variant_workloads() {
  variant_objects "$1" StatefulSet Deployment
}

# variant_from_args ARG...: sets VARIANT to the one variant named, handling --help.
variant_from_args() {
  case "${1:-}" in
    -h | --help) usage && exit 0 ;;
  esac
  [ $# -le 1 ] || die "one variant at a time"
  VARIANT=${1:-}
  require_variant "$VARIANT"
}

# require_variant NAME: stops unless NAME is one of the variants, listing them.
require_variant() {
  local list
  list=$(variants | tr '\n' ' ')
  list=${list% }
  [ -n "${1:-}" ] || die "which variant? one of: $list"
  case " $list " in
    *" $1 "*) ;;
    *) die "unknown variant '$1': the variants are $list" ;;
  esac
}

require_kubectl() {
  [ -n "${DRY_RUN:-}" ] && return 0
  require_tool kubectl "Install kubectl (https://kubernetes.io/docs/tasks/tools/)."
  if ! kubectl --context "$KUBE_CONTEXT" --request-timeout=5s get --raw /readyz </dev/null >/dev/null 2>&1; then
    die "no cluster answers on the kubectl context $KUBE_CONTEXT. Create it with scripts/k3d-up.sh (or set KUBE_CONTEXT)."
  fi
}

# wait_ready POD: prints the pod's phase and its containers' states until it is Ready.
wait_ready() {
  local pod=$1 deadline=$((SECONDS + ${TIMEOUT:-180})) last="" now
  step_start "waiting for pod $pod to be ready"
  [ -n "${DRY_RUN:-}" ] && return 0
  while [ $SECONDS -lt $deadline ]; do
    if kubectl --context "$KUBE_CONTEXT" wait --for=condition=Ready "pod/$pod" --timeout=2s >/dev/null 2>&1; then
      step_done "ready"
      return 0
    fi
    now=$(kubectl --context "$KUBE_CONTEXT" get pod "$pod" --no-headers \
      -o custom-columns='PHASE:.status.phase,STATES:.status.containerStatuses[*].state' 2>/dev/null | head -n 1)
    if [ "$now" != "$last" ]; then
      say "  $pod: $now"
      last=$now
    fi
  done
  kubectl --context "$KUBE_CONTEXT" describe pod "$pod" | sed -n '/^Events:/,$p' >&2
  die "pod $pod is not ready after ${TIMEOUT:-180} s (its events are above). See k8s/README.md, Troubleshooting."
}

# wait_rollout KIND/NAME: waits for a StatefulSet or Deployment with kubectl rollout status,
# printing its pods' phases and containers' states as they change, as wait_ready does for a pod.
wait_rollout() {
  local target=$1 deadline=$((SECONDS + ${TIMEOUT:-180})) selector last="" now
  step_start "waiting for $target to roll out"
  [ -n "${DRY_RUN:-}" ] && return 0
  # Its pods, by the selector the workload itself holds.
  # shellcheck disable=SC2016 # a Go template, not shell
  selector=$(kubectl --context "$KUBE_CONTEXT" get "$target" \
    -o go-template='{{range $k, $v := .spec.selector.matchLabels}}{{$k}}={{$v}},{{end}}' 2>/dev/null || true)
  selector=${selector%,}
  while [ $SECONDS -lt $deadline ]; do
    if kubectl --context "$KUBE_CONTEXT" rollout status "$target" --timeout=2s >/dev/null 2>&1; then
      step_done "rolled out"
      return 0
    fi
    now=$(kubectl --context "$KUBE_CONTEXT" get pods --selector "${selector:-none}" --no-headers \
      -o custom-columns='NAME:.metadata.name,PHASE:.status.phase,STATES:.status.containerStatuses[*].state' 2>/dev/null || true)
    if [ "$now" != "$last" ]; then
      printf '%s\n' "$now" | while IFS= read -r line; do [ -z "$line" ] || say "  $line"; done
      last=$now
    fi
    sleep 1
  done
  kubectl --context "$KUBE_CONTEXT" describe pods --selector "${selector:-none}" | sed -n '/^Events:/,/^$/p' >&2 || true
  die "$target has not rolled out after ${TIMEOUT:-180} s (its pods' events are above). See k8s/README.md, Troubleshooting."
}

# port_forward TARGET REMOTE-PORT: forwards a free local port to TARGET (svc/name) in the
# background and sets FORWARDED_PORT and FORWARD_PID; the forward stops when the script exits.
port_forward() {
  local log pid
  log=$(mktemp "${TMPDIR:-/tmp}/fortune-port-forward.XXXXXX")
  kubectl --context "$KUBE_CONTEXT" port-forward "$1" ":$2" >"$log" 2>&1 &
  pid=$!
  FORWARD_PID=$pid
  on_exit "kill $pid 2>/dev/null; rm -f '$log'"
  FORWARDED_PORT=""
  for _ in $(seq 1 50); do
    FORWARDED_PORT=$(sed -n 's/^Forwarding from 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$log" | head -n 1)
    [ -n "$FORWARDED_PORT" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  cat "$log" >&2
  die "kubectl port-forward $1 failed (above). Is the pod running? kubectl get pods shows."
}

# http_get URL [ACCEPT]: prints the body, with curl where there is one and Node.js otherwise.
http_get() {
  local accept=${2:-*/*}
  if command -v curl >/dev/null 2>&1; then
    curl --silent --show-error --fail --header "Accept: $accept" "$1"
  else
    node -e 'fetch(process.argv[1], { headers: { accept: process.argv[2] } }).then(async (r) => { if (!r.ok) process.exit(22); process.stdout.write(await r.text()) }, (e) => { console.error(e.message); process.exit(7) })' "$1" "$accept"
  fi
}

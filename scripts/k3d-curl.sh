#!/usr/bin/env bash
# Fetches a path from the running variant's web server through kubectl port-forward, as the
# seed does with curl: plain text by default, the page with --html.
#
#   scripts/k3d-curl.sh                  the fortune
#   scripts/k3d-curl.sh /history.json    the recent fortunes the volume holds
#   scripts/k3d-curl.sh --html           the page a browser gets
#
# Settings (environment):
#   KUBE_CONTEXT  the kubectl context (default k3d-fortune)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

path=/
accept='*/*'
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage && exit 0 ;;
    --html) accept=text/html ;;
    /*) path=$arg ;;
    *) die "expected a path starting with /, such as /history.json" ;;
  esac
done
require_kubectl
port_forward svc/fortune 80
http_get "http://127.0.0.1:$FORWARDED_PORT$path" "$accept"

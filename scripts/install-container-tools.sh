#!/usr/bin/env bash
# Installs, from Debian's packages, what the container tests and the image scripts use, and starts
# the Docker engine if it is not running. For Debian and Ubuntu machines; run as root.
#   docker.io       the Docker engine and client
#   docker-compose  runs docker/compose.yaml
#   docker-registry a registry the tests run on the loopback address
#   debootstrap     builds a base image where Docker Hub cannot be reached
#   podman          runs the Kubernetes manifests (podman kube play); catatonit is its init
#   ShellCheck      lints these scripts (package shellcheck)
#   chromium        the browser the page test drives, headless
#   openssh-server  an SSH server the git-sync tests run on the loopback address
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

case "${1:-}" in
  -h | --help) usage && exit 0 ;;
  "") ;;
  *) die "unknown argument '$1' (this script takes none)" ;;
esac

[ "$(id -u)" = 0 ] || die "run this as root (sudo $0): it installs Debian packages."
require_tool apt-get "This script is for Debian and Ubuntu; elsewhere install Docker, docker-compose, debootstrap, podman, shellcheck, chromium and the OpenSSH server with your package manager."

packages="docker.io docker-compose docker-registry debootstrap podman catatonit shellcheck chromium openssh-server"
missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
    missing="$missing $package"
done
if [ -n "$missing" ]; then
  step_start "installing$missing"
  apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  step_done "installed"
fi

# The Debian package starts its registry service where systemd runs; the tests run their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
  systemctl stop docker-registry
fi

if ! docker info >/dev/null 2>&1; then
  step_start "starting the Docker engine"
  if [ -d /run/systemd/system ]; then
    systemctl start docker
  else
    dockerd >/var/log/dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || die "the Docker engine did not start; see /var/log/dockerd.log"
  step_done "it answers"
fi
say "ready: $(docker version --format 'Docker engine {{.Server.Version}}'), $(docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /'), $(podman --version)"

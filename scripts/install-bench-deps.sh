#!/usr/bin/env bash
# Installs what `make bench` needs beyond the test dependencies: nginx (the comparison server)
# and wrk (the load generator). Kept apart from install-system-deps.sh so `make test` stays lean.
set -euo pipefail

need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v wrk >/dev/null || need+=(wrk)
[ "${#need[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "Please install: ${need[*]} (the load benchmark needs them)." >&2
  exit 1
fi
echo "Installing ${need[*]} ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

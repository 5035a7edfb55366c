#!/usr/bin/env bash
# Installs missing system packages with apt-get.
#   install-system-deps.sh          what the tests need: Chromium, WebKit's WebDriver with a virtual screen
#                                   (Xvfb) for the WebKit tests, PostgreSQL, fonts for Urdu and Punjabi
#                                   (so right-to-left layouts are measured with real glyphs), and nginx (the
#                                   shipped proxy config runs in front of the app) (make test, CI)
#   install-system-deps.sh bench    also wrk, for the load benchmark (make bench)
# Needs root and apt-get; otherwise it says what to install.
set -euo pipefail

missing() {  # missing PACKAGE: true when the package's program is not on this machine
  case "$1" in
    chromium) [ ! -x /usr/bin/chromium ] ;;
    webkit2gtk-driver) [ ! -x /usr/bin/WebKitWebDriver ] ;;
    xvfb) ! command -v Xvfb >/dev/null ;;
    postgresql) ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && ! command -v initdb >/dev/null ;;
    nginx) ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] ;;
    fonts-noto-core) [ ! -f /usr/share/fonts/truetype/noto/NotoNastaliqUrdu-Regular.ttf ] ;;
    *) ! command -v "$1" >/dev/null ;;
  esac
}

wanted=(chromium webkit2gtk-driver xvfb postgresql fonts-noto-core nginx)
[ "${1:-}" = bench ] && wanted+=(wrk)
need=()
for package in "${wanted[@]}"; do
  if missing "$package"; then need+=("$package"); fi
done
[ "${#need[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "Please install: ${need[*]}" >&2
  exit 1
fi
echo "Installing ${need[*]} ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# WebKit with its recommended packages, as tried and tested (its fonts and media libraries among them).
lean=() webkit=()
for package in "${need[@]}"; do
  case "$package" in webkit2gtk-driver|xvfb) webkit+=("$package") ;; *) lean+=("$package") ;; esac
done
[ "${#lean[@]}" -eq 0 ] || apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null
[ "${#webkit[@]}" -eq 0 ] || apt-get install -y -qq "${webkit[@]}" >/dev/null

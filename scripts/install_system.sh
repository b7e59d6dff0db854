#!/usr/bin/env bash
# System packages the tests use: headless Chromium + ChromeDriver (the real-browser
# test of the webapp) and docker-compose (validates docker-compose.yml without an
# engine). Installed from Debian's packages when missing and we may install;
# otherwise the tests that need them skip and say why.
set -uo pipefail
wanted=()
command -v chromium >/dev/null || wanted+=(chromium)
command -v chromedriver >/dev/null || wanted+=(chromium-driver)
command -v docker-compose >/dev/null || wanted+=(docker-compose)
[ ${#wanted[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo -n"
if ! command -v apt-get >/dev/null || { [ -n "$sudo" ] && ! sudo -n true 2>/dev/null; }; then
    echo "note: cannot install ${wanted[*]} (no apt-get or no root); the tests that need them will skip" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q "${wanted[@]}" >/dev/null 2>&1 || {
    $sudo apt-get update -q >/dev/null 2>&1
    $sudo apt-get install -y -q "${wanted[@]}" >/dev/null || echo "note: installing ${wanted[*]} failed; the tests that need them will skip" >&2
}
exit 0

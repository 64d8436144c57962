#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian/Ubuntu machine, then run every test.
# Used as-is by .ci/run. Safe to run again: each step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
# grep reads to the end: with -q, fc-list would die of SIGPIPE and pipefail would call the font missing.
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk)
# The PowerPoint deck's typeface (BIZ UDPゴシック), so tests and renderings use the font Windows has.
fc-list 2>/dev/null | grep -i "BIZ UDPGothic" >/dev/null || need+=(fonts-morisawa-bizud-gothic)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# The reverse proxy of deploy/Caddyfile, run by tests/e2e/test_proxy_e2e.py and test_writer_viewer_e2e.py.
command -v caddy >/dev/null 2>&1 || need+=(caddy)
if ((${#need[@]})); then
  echo "installing Debian packages: ${need[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt

export EVALDASH_CHROMIUM="${EVALDASH_CHROMIUM:-$(command -v chromium)}"
# Two workers (pytest-xdist), each taking whole test files so a module's server and browser start once.
# Arguments given after these win: `bash scripts/test.sh -n 0` runs in one process.
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"

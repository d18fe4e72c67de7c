#!/usr/bin/env bash
# Installs what the tests need beyond Java: Debian's Chromium for the page tests, and the npm packages in e2e/
# (playwright-core to drive Chromium, the official openai client to call our API), and Debian's python3-torch for the
# test that loads an exported model into a plain PyTorch GPT-2, and python3-jinja2 to render the exported chat template
# as Hugging Face does. Safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

apt_install() {
  command -v apt-get >/dev/null || { echo "apt-get not found: install $* by hand" >&2; return 1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 || {
    as_root apt-get update -q >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
  }
}

if ! command -v chromium >/dev/null; then
  echo "installing Debian's chromium"
  apt_install chromium
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "installing Node.js and npm"
  apt_install nodejs npm
fi
if ! python3 -c 'import torch' >/dev/null 2>&1 && ! /usr/bin/python3 -c 'import torch' >/dev/null 2>&1; then
  echo "installing Debian's python3-torch"
  apt_install python3-torch
fi
if ! python3 -c 'import jinja2' >/dev/null 2>&1 && ! /usr/bin/python3 -c 'import jinja2' >/dev/null 2>&1; then
  echo "installing Debian's python3-jinja2"
  apt_install python3-jinja2
fi
echo "installing e2e/ npm packages"
(cd "$ROOT/e2e" && npm ci --no-audit --no-fund --loglevel=error)
echo "test dependencies ready: $(chromium --version 2>/dev/null | head -n 1), node $(node --version)"

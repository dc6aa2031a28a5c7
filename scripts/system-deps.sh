#!/usr/bin/env bash
# System packages the tests need that pip cannot install: Debian's Chromium, the real browser that
# tests/browser.py drives through Playwright (which never downloads a browser of its own).
# Idempotent: when `chromium` is already on PATH it does nothing and prints nothing.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: the tests need Debian's chromium package; install it as root with:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends chromium" >&2
  exit 1
fi

echo "system-deps: installing chromium (Debian package)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null

if ! command -v chromium >/dev/null 2>&1; then
  echo "system-deps: installed the chromium package, but there is still no chromium on PATH ($PATH)" >&2
  exit 1
fi

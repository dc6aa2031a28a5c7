#!/usr/bin/env bash
# System packages the end-to-end tests use: Debian's Chromium (the real browser of the connect test).
# Installs only what is missing, and only where it can (root with apt); otherwise says what to install.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Please install these system packages for the end-to-end tests: ${missing[*]}" >&2
  exit 1
fi

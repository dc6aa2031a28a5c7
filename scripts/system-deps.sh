#!/usr/bin/env bash
# System packages the tests need that pip cannot install:
# - chromium: the real browser tests/support/browser.py drives through Playwright (which never downloads one);
# - gnome-keyring + dbus-daemon: a real Secret Service, started inside dbus-run-session by the keyring test;
# - postgresql-15: the server binaries (initdb, pg_ctl) tests/support/pg.py starts a throw-away server with;
# - tmux: the real terminal the end-to-end typing test and the benchmark's smoke test run the app in.
# Idempotent: when every command is already there it does nothing and prints nothing.
set -euo pipefail

# command -> Debian package
declare -A NEEDED=(
  [chromium]=chromium
  [gnome-keyring-daemon]=gnome-keyring
  [dbus-run-session]=dbus-daemon
  [tmux]=tmux
)

missing=()
for command in "${!NEEDED[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${NEEDED[$command]}")
done
# Debian keeps PostgreSQL's server programs off PATH, under /usr/lib/postgresql/VERSION/bin.
postgres_found() {
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1
}
postgres_found || missing+=(postgresql-15)
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: the tests need these Debian packages; install them as root with:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "system-deps: installing ${missing[*]} (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

for command in "${!NEEDED[@]}"; do
  if ! command -v "$command" >/dev/null 2>&1; then
    echo "system-deps: installed ${missing[*]}, but there is still no $command on PATH ($PATH)" >&2
    exit 1
  fi
done
if ! postgres_found; then
  echo "system-deps: installed ${missing[*]}, but there is still no /usr/lib/postgresql/*/bin/initdb" >&2
  exit 1
fi

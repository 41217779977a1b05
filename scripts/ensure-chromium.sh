#!/bin/sh
# Makes sure Debian's Chromium is at /usr/bin/chromium for the end-to-end tests (Playwright is
# told to use it and never downloads a browser of its own). Installs the `chromium` package with
# apt-get when it is missing: as root directly, otherwise through sudo.
set -eu

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

fail() {
  echo "ensure-chromium: $*" >&2
  echo "ensure-chromium: the end-to-end tests need Debian's Chromium at $CHROMIUM; install it with: apt-get install chromium" >&2
  exit 1
}

if ! command -v apt-get >/dev/null 2>&1; then
  fail "$CHROMIUM is missing and apt-get is not available on this machine."
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  fail "$CHROMIUM is missing, and installing it needs root (run as root, or install sudo)."
fi

export DEBIAN_FRONTEND=noninteractive
install_chromium() {
  # Without its recommends (printer setup, notification daemon, ...), but with a font so pages
  # render readable text in screenshots.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-liberation
}

echo "ensure-chromium: $CHROMIUM is missing; installing Debian's chromium package with apt-get..." >&2
# The package lists are often current enough; refresh them only when the install fails.
if ! install_chromium; then
  echo "ensure-chromium: install failed; running apt-get update and trying again..." >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update || fail "apt-get update failed."
  install_chromium || fail "apt-get install chromium failed."
fi

[ -x "$CHROMIUM" ] || fail "the chromium package installed, but $CHROMIUM is still missing."
echo "ensure-chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)." >&2

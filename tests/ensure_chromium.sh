#!/bin/sh
# Install Debian's chromium when /usr/bin/chromium is missing, for tests/test_html_report.py, which renders
# the HTML report in headless Chromium and fails (it does not skip) without it. Called by `make test`.
# Uses sudo when not root; does nothing when the browser is already there.
set -eu
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
echo "ensure_chromium: installing Debian's chromium for the HTML report test" >&2
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core  # a font, so the screenshot has text
[ -x "$CHROMIUM" ] || { echo "ensure_chromium: $CHROMIUM still missing after apt-get install" >&2; exit 1; }

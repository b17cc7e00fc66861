#!/usr/bin/env bash
# Make sure Chromium (Debian's chromium package) is installed: the Mini App's browser tests
# (tests/miniapp_browser/) drive it with Playwright, launched by its path (/usr/bin/chromium,
# or CHROMIUM_PATH). `playwright install` is never run: nothing is downloaded at test time.
# This script only installs the package, and does nothing when Chromium is there.
#
# scripts/system-packages.sh calls it, from scripts/test.sh (CI runs as root). Elsewhere: run it with sudo, or install the package
# yourself; without it the browser tests are skipped with the reason (under CI=true they fail).
set -euo pipefail

if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Chromium is not installed; as root: apt-get install chromium" >&2
    exit 1
fi
echo "Installing chromium (log: /tmp/chromium-install.log)" >&2
export DEBIAN_FRONTEND=noninteractive
{
    apt-get update -q
    # fonts-noto-color-emoji: the cards' status emoji render as emoji in the screenshots.
    apt-get install -y -q --no-install-recommends chromium fonts-liberation fonts-noto-color-emoji
} >/tmp/chromium-install.log 2>&1 || {
    tail -n 20 /tmp/chromium-install.log >&2
    echo "Installing chromium failed; the whole log is /tmp/chromium-install.log" >&2
    exit 1
}

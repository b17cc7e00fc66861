#!/usr/bin/env bash
# Make sure Dovecot (Debian's dovecot-imapd) is installed: the support inbox's tests read
# from a real IMAP server. The tests start their own throwaway Dovecot (own config in a
# temporary folder, ports picked free, 127.0.0.1 only: tests/doubles/dovecot.py); this
# script only installs the package, and does nothing when it is there.
#
# scripts/system-packages.sh calls it, from scripts/test.sh (CI runs as root). Elsewhere: run it with sudo, or install the package
# yourself; without it those tests are skipped with the reason (under CI=true they fail).
set -euo pipefail

if PATH="$PATH:/usr/sbin:/usr/local/sbin" command -v dovecot >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Dovecot is not installed; as root: apt-get install dovecot-imapd" >&2
    exit 1
fi
echo "Installing dovecot-imapd (log: /tmp/dovecot-install.log)" >&2
export DEBIAN_FRONTEND=noninteractive
{
    apt-get update -q
    # The package's own service is not needed (and a container may refuse to start it).
    apt-get install -y -q --no-install-recommends dovecot-imapd
} >/tmp/dovecot-install.log 2>&1 || {
    tail -n 20 /tmp/dovecot-install.log >&2
    echo "Installing dovecot-imapd failed; the whole log is /tmp/dovecot-install.log" >&2
    exit 1
}

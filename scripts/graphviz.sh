#!/usr/bin/env bash
# Make sure Graphviz (Debian's graphviz package) is installed: /flow draws a flow's diagram
# with its `dot` command (bot/adapters/graphviz.py runs it in a subprocess with a timeout).
# This script only installs the package, and does nothing when `dot` is there.
#
# scripts/system-packages.sh calls it, from scripts/test.sh (CI runs as root). Elsewhere: run it with sudo, or install the package
# yourself; without it the bot still shows flows (the card says the diagram needs Graphviz)
# and the diagram tests are skipped with the reason (under CI=true they fail).
set -euo pipefail

if command -v dot >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Graphviz is not installed; as root: apt-get install graphviz" >&2
    exit 1
fi
echo "Installing graphviz (log: /tmp/graphviz-install.log)" >&2
export DEBIAN_FRONTEND=noninteractive
{
    apt-get update -q
    apt-get install -y -q --no-install-recommends graphviz
} >/tmp/graphviz-install.log 2>&1 || {
    tail -n 20 /tmp/graphviz-install.log >&2
    echo "Installing graphviz failed; the whole log is /tmp/graphviz-install.log" >&2
    exit 1
}

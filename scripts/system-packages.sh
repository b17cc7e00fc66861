#!/usr/bin/env bash
# The Debian packages some tests use, installed when they are missing: dovecot-imapd (the
# support inbox's tests), graphviz (/flow's diagrams), postgresql-15-pgvector where apt has
# it (semantic memory's HNSW search) and chromium (the dashboard Mini App's browser tests).
# scripts/test.sh runs this first, so the README's test command installs them.
#
# As root (CI, a container) each one is installed, and a failed install stops the run.
# Otherwise nothing is installed: what is missing is named with the command that installs
# it, and the tests that need it are skipped with the reason (under CI=true they fail).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=0
for part in dovecot graphviz pgvector chromium; do
    if [ "$(id -u)" -eq 0 ]; then
        "./scripts/$part.sh"
    elif ! "./scripts/$part.sh" 2>/dev/null; then
        missing=1
        echo "Not installed: $part (its tests are skipped; sudo ./scripts/$part.sh installs it)" >&2
    fi
done
if [ "$missing" -eq 1 ]; then
    echo "To install everything the tests use: sudo ./scripts/system-packages.sh" >&2
fi

#!/usr/bin/env bash
# Make sure pgvector (Debian's postgresql-15-pgvector) is installed for the local PostgreSQL:
# semantic memory (issue 16) then searches with an HNSW index. Migration 0017 enables the
# extension only when PostgreSQL lists it as available, so without it memory still works
# (exact search in numpy) and the pgvector tests are skipped with the reason.
# This script only installs the package, and does nothing when the extension is there.
#
# scripts/system-packages.sh calls it, from scripts/test.sh (CI runs as root). Elsewhere: run it with sudo, or install the package
# yourself (the server's major version must match: postgresql-<major>-pgvector).
set -euo pipefail

MAJOR="${PGVECTOR_PG_MAJOR:-15}"
if [ -f "/usr/share/postgresql/${MAJOR}/extension/vector.control" ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "pgvector is not installed; as root: apt-get install postgresql-${MAJOR}-pgvector" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/tmp/pgvector-install.log 2>&1 || true
# Debian bookworm's own archive has no pgvector package (trixie and the PostgreSQL apt
# repository do): then memory searches exactly, in numpy, and that is not an error.
if ! apt-cache show "postgresql-${MAJOR}-pgvector" >/dev/null 2>&1; then
    echo "postgresql-${MAJOR}-pgvector is not in this machine's apt sources;" \
        "semantic memory will search exactly (numpy), without an HNSW index" >&2
    exit 0
fi
echo "Installing postgresql-${MAJOR}-pgvector (log: /tmp/pgvector-install.log)" >&2
apt-get install -y -q --no-install-recommends "postgresql-${MAJOR}-pgvector" \
    >>/tmp/pgvector-install.log 2>&1 || {
    tail -n 20 /tmp/pgvector-install.log >&2
    echo "Installing pgvector failed; the whole log is /tmp/pgvector-install.log" >&2
    exit 1
}

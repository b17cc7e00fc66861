#!/usr/bin/env bash
# Install everything into .venv and run the whole test suite (lint, types, tests).
#
# PostgreSQL tests use TEST_POSTGRES_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/test).
# Without a reachable PostgreSQL they are skipped with the reason shown; with CI=true
# (or REQUIRE_POSTGRES=1) they fail instead, so CI always proves both databases.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,local-llm]'

export LITELLM_LOCAL_MODEL_COST_MAP=True
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy

set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure, not a pass" >&2
fi
exit "$status"

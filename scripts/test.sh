#!/usr/bin/env bash
# Install everything into .venv and run the whole test suite (lint, types, layers, tests).
# Arguments go to pytest (`./scripts/test.sh tests/e2e -x`).
#
# PostgreSQL tests use TEST_POSTGRES_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/test).
# Without a reachable PostgreSQL they are skipped with the reason shown; with CI=true
# (or REQUIRE_POSTGRES=1) they fail instead, so CI always proves both databases.
#
# pip runs only when pyproject.toml, constraints.txt or the Python version changed
# (scripts/_venv.sh). The slow part of a first install is compiling llama.cpp for
# llama-cpp-python (the local model of one end-to-end test): it is built once, without
# the parts its Python server never loads, into a wheel kept in LLAMA_WHEELS (default
# ~/.cache/campaign-copilot/llama-wheels-avx2, so a new clone or a new .venv reuses it),
# and it is built while pip installs everything else.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh

# The folder names the build: wheels built by an earlier version of this script (with
# -march=native) are not reused.
LLAMA_WHEELS="${LLAMA_WHEELS:-${XDG_CACHE_HOME:-$HOME/.cache}/campaign-copilot/llama-wheels-avx2}"

# Build the llama-cpp-python wheel pinned in pyproject.toml unless LLAMA_WHEELS has it.
# LLAVA_BUILD=OFF skips the multimodal library and scripts/llama-cpp-minimal.cmake the
# common library: neither is loaded to serve a text model (5.7 instead of 15.0 CPU-minutes
# of compiling, measured). It is built for AVX2, not -march=native: on a CPU that reports
# AMX (Sapphire Rapids and newer), a native build runs ggml's AMX matrix kernels, and in a
# VM that does not grant the AMX tile state those crash the server (SIGSEGV in
# ggml_backend_amx_mul_mat) at the first request; AVX2 runs on any x86-64 of the last ten
# years, and the wheel stays usable on another machine. Extra CMAKE_ARGS (GPU backends,
# say) are passed on; delete the wheel from LLAMA_WHEELS to build it again with them.
build_llama_wheel() {
    local requirement version
    requirement=$(grep -o '"llama-cpp-python[^"]*"' pyproject.toml | tr -d '"')
    version=${requirement##*==}
    if compgen -G "$LLAMA_WHEELS/llama_cpp_python-$version-*.whl" >/dev/null; then
        return 0
    fi
    mkdir -p "$LLAMA_WHEELS"
    echo "Building llama-cpp-python $version (log: .venv/llama-build.log)" >&2
    # --no-cache-dir: this trimmed wheel must not land in pip's shared cache, where
    # another project installing the same version would pick it up.
    local cpu="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
    CMAKE_ARGS="-DLLAVA_BUILD=OFF -DCMAKE_PROJECT_llama.cpp_INCLUDE='$PWD/scripts/llama-cpp-minimal.cmake' $cpu ${CMAKE_ARGS:-}" \
        CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(getconf _NPROCESSORS_ONLN)}" \
        .venv/bin/pip wheel --quiet --disable-pip-version-check --no-cache-dir --no-deps \
        -w "$LLAMA_WHEELS" "$requirement" >.venv/llama-build.log 2>&1 || {
        tail -n 30 .venv/llama-build.log >&2
        echo "Building llama-cpp-python failed; the whole log is .venv/llama-build.log" >&2
        return 1
    }
}

# The Debian packages some tests use (Dovecot, Graphviz, pgvector, Chromium): installed as
# root, named with their install command otherwise.
./scripts/system-packages.sh

ensure_venv
if ! is_installed test '.[dev,local-llm]'; then
    forget_installed test
    echo "Installing the dependencies into .venv" >&2
    build_llama_wheel &
    llama_build=$!
    pip_install -e '.[dev]'
    install_embedding_model
    wait "$llama_build"
    pip_install --find-links "$LLAMA_WHEELS" -e '.[dev,local-llm]'
    mark_installed test '.[dev,local-llm]'
fi

export LITELLM_LOCAL_MODEL_COST_MAP=True
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports  # the layers (pyproject.toml [tool.importlinter])

set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure, not a pass" >&2
fi
exit "$status"

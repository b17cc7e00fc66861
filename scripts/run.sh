#!/usr/bin/env bash
# Install the bot into .venv and start it. Settings come from the environment or .env
# (copy .env.example to .env and fill in TELEGRAM_BOT_TOKEN and ADMIN_USER_IDS).
# Arguments go to run_bot.py. pip runs only when pyproject.toml, constraints.txt or the
# Python version changed since the last install (scripts/_venv.sh), so a warm start is
# quick; delete .venv to install from scratch.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh

ensure_venv
if ! is_installed run .; then
    forget_installed run
    echo "Installing the dependencies into .venv" >&2
    pip_install -e .
    install_embedding_model
    mark_installed run .
fi
exec .venv/bin/python run_bot.py "$@"

#!/usr/bin/env bash
# Install the bot into .venv and start it. Settings come from the environment or .env
# (copy .env.example to .env and fill in TELEGRAM_BOT_TOKEN and ADMIN_USER_IDS).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e .
exec .venv/bin/python run_bot.py

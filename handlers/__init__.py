"""Telegram conversations, one package per feature, each with one `register(app)`.

`handlers/common/` is the toolkit they share; bot/app.py lists the features' registers.
See docs/ARCHITECTURE.md, "Where a new feature goes".
"""

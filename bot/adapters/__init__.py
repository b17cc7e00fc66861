"""Adapters: the outside world behind the protocols core names (Telegram, ComfyUI, webhooks)."""

"""Publishing: approved posts go out once, on time, and nothing fails silently.

The database row is the truth. A sweeper (woken by APScheduler) recovers expired claims,
marks posts too late to send as missed, claims due posts with a lease and sends each one
through a `Publisher` (Telegram channel, outgoing webhook, email). See docs/PUBLISHING.md.
"""

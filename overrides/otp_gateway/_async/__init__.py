"""The gateway and its provider adapters, async: the source of `_sync` (scripts/unasync_clients.py)."""

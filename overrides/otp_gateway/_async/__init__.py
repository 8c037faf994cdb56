"""The async source of the gateway and its adapters; `_sync` is generated from it (scripts/unasync_clients.py)."""

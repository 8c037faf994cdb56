# Generated from the `_async` twin by scripts/unasync_otp_gateway.py: do not edit by hand.
"""The async source of the gateway and its adapters; `_sync` is generated from it (scripts/unasync_clients.py)."""

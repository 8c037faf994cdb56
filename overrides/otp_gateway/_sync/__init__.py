"""The gateway and its provider adapters, sync: each module is generated from its `_async` twin."""

"""Reading a reply body as JSON, the way every provider client needs it."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["parse_json_object"]


def parse_json_object(content: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is not one (not JSON, not UTF-8, or another JSON value)."""
    try:
        value = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None

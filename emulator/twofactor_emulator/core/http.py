"""HTTP helpers every route family and the control API use: bounded body reading and form parsing."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

from starlette.requests import Request

MAX_FORM_FIELDS = 64


def body_too_large(limit: int) -> str:
    """The text for a body over the route's limit (the limit is part of the message)."""
    return f"Request Body Too Large - Limit {limit} Bytes"


async def read_body(request: Request, limit: int, too_large: Callable[[str], Exception]) -> bytes:
    """The request body, refused with `too_large(text)` past `limit` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(body_too_large(limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(body_too_large(limit))
        chunks.append(chunk)
    return b"".join(chunks)


def parse_form(body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (the last value of a repeated field wins).

    ValueError when it is not UTF-8 or holds more than `MAX_FORM_FIELDS` fields; the caller answers
    in its own error shape.
    """
    pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, errors="strict")
    return dict(pairs)

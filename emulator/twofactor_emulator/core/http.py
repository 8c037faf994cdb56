"""HTTP helpers every route family and the control API use: bounded body reading, form and JSON
parsing that refuse hostile input cleanly, and the emulator's public base URL.

JSON bodies are parsed so that no body stalls the event loop: a small one (the common case) with the
C parser on the loop; a large one in a worker thread with the standard library's pure-Python scanner,
which gives the GIL back every few milliseconds (the C parser holds it for the whole parse, so a
thread alone would not help), bounded in how many values it builds and how many parse at once.
"""

from __future__ import annotations

import asyncio
import json
import json.decoder
import json.scanner
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import Scope

MAX_FORM_FIELDS = 64
# Larger JSON bodies are parsed in a worker thread. 256 KiB keeps a 1000-message bulk request (about
# 115 KiB: 0.3 ms in the C parser, about 35 ms in the pure-Python scanner) on the fast path, while
# the costliest body of that size (all values, 128 Ki of them) holds the loop about 6 ms.
JSON_ON_LOOP_BYTES = 256 * 1024
MAX_JSON_VALUES = 200_000  # a 1000-message bulk body has about 8,000; past this a body is refused
LARGE_PARSES_AT_ONCE = 1  # one parsing thread: the loop then competes for the GIL with one thread only
# Set in the scope when a request's body was refused unread: the reply closes the connection
# instead of reading (and discarding) the rest of a body already known to be refused (core/edge.py).
CLOSE_CONNECTION = "twofactor_emulator.close_connection"


def body_too_large(limit: int) -> str:
    """The text for a body over the route's limit (the limit is part of the message)."""
    return f"Request Body Too Large - Limit {limit} Bytes"


async def read_body(request: Request, limit: int, too_large: Callable[[str], Exception]) -> bytes:
    """The request body, refused with `too_large(text)` as soon as it passes `limit` bytes (declared
    or streamed), reading no more of it."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        request.scope[CLOSE_CONNECTION] = True
        raise too_large(body_too_large(limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            request.scope[CLOSE_CONNECTION] = True
            raise too_large(body_too_large(limit))
        chunks.append(chunk)
    return b"".join(chunks)


def duplicate_name(pairs: list[tuple[str, str]]) -> str | None:
    """The first name that occurs twice in a query or form, or None."""
    seen: set[str] = set()
    for name, _ in pairs:
        if name in seen:
            return name
        seen.add(name)
    return None


def duplicate_parameter(name: str) -> str:
    """The text for a repeated query or form parameter (every route refuses them: README's interpretations)."""
    return f"Duplicate Parameter - {name[:64]}"


class FormError(ValueError):
    """A form body that cannot be read; the message says why."""


class DuplicateParameterError(FormError):
    """A form that repeats a field; the message is `duplicate_parameter(name)`."""


def parse_form(body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body.

    FormError when it is not UTF-8, holds more than `MAX_FORM_FIELDS` fields or repeats a field (a
    repeated field would be read one way by the rate limit and another by the handler); the caller
    answers in its own error shape.
    """
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, errors="strict")
    except ValueError as exc:  # UnicodeDecodeError too
        raise FormError("the form is not UTF-8 or has too many fields") from exc
    repeated = duplicate_name(pairs)
    if repeated is not None:
        raise DuplicateParameterError(duplicate_parameter(repeated))
    return dict(pairs)


class JsonError(ValueError):
    """A body that is no acceptable JSON: malformed, nested too deeply, or too many values."""


TOO_DEEP = "JSON nested too deeply"
TOO_MANY_VALUES = f"JSON with more than {MAX_JSON_VALUES} values"


def parse_json(raw: bytes | str) -> Any:
    """JSON text with the C parser; JsonError for malformed or too deeply nested input (the
    parser's recursion limit, about 1000 levels, would otherwise be a RecursionError)."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise JsonError(TOO_DEEP) from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise JsonError(str(exc)) from None


# Waited on in the worker thread, never on the loop; one per process, whatever loop is running.
_large_parses = threading.BoundedSemaphore(LARGE_PARSES_AT_ONCE)


async def parse_json_async(raw: bytes) -> Any:
    """`parse_json`, off the event loop for a body over `JSON_ON_LOOP_BYTES`."""
    if len(raw) <= JSON_ON_LOOP_BYTES:
        return parse_json(raw)
    return await asyncio.to_thread(_parse_large, raw)


def _parse_large(raw: bytes) -> Any:
    with _large_parses:
        return _parse_counted(raw)


class _CountingDecoder(json.JSONDecoder):
    """The standard decoder on the pure-Python scanner, refusing past `MAX_JSON_VALUES` values.

    The scanner calls `parse_object` / `parse_array` with the scan function it recurses through; both
    are replaced to count every value they scan.
    """

    def __init__(self) -> None:
        super().__init__()
        self.values = 0
        self.parse_object = self._parse_object
        self.parse_array = self._parse_array
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]  # not in typeshed

    def _counted(self, scan_once: Callable[[str, int], Any]) -> Callable[[str, int], Any]:
        def scan(text: str, index: int) -> Any:
            self.values += 1
            if self.values > MAX_JSON_VALUES:
                raise JsonError(TOO_MANY_VALUES)
            return scan_once(text, index)

        return scan

    def _parse_object(self, state: Any, strict: bool, scan_once: Any, *rest: Any) -> Any:
        return json.decoder.JSONObject(state, strict, self._counted(scan_once), *rest)  # type: ignore[attr-defined]

    def _parse_array(self, state: Any, scan_once: Any) -> Any:
        return json.decoder.JSONArray(state, self._counted(scan_once))  # type: ignore[attr-defined]


def _parse_counted(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonError(str(exc)) from None
    try:
        return _CountingDecoder().decode(text)
    except RecursionError:
        raise JsonError(TOO_DEEP) from None
    except JsonError:
        raise
    except ValueError as exc:
        raise JsonError(str(exc)) from None


def public_base_url(request: Request) -> str:
    """The emulator's own base URL for links it hands out (short links): the configured public URL,
    else the address the connection reached (the listening socket's), never the request's `Host`
    header, which any client can set."""
    configured: str | None = getattr(request.app.state, "public_url", None)
    if configured:
        return configured.rstrip("/")
    return listening_url(request.scope)


def listening_url(scope: Scope) -> str:
    """`http://host:port` of the socket the request arrived on (ASGI's `server`)."""
    server = scope.get("server")
    if not server:
        return "http://127.0.0.1"
    host, port = server[0], server[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}" if port in (None, 80) else f"http://{shown}:{port}"

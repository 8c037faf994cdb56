"""Reading the message files of `twofactor bulk send`: CSV with a header row, or JSON.

CSV columns: `sender`, `to`, `text`, and optional `callback_value1`, `callback_value2` (the wire
names `smsFrom`, `smsTo`, `smsText` work too). JSON: a list of such objects, or the bulk request's
own shape `{"messages": [...]}`. A file that cannot be read raises `InvalidInput` saying why; a
single bad message is left for the client to report as that message's failure.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from .errors import InvalidInput

__all__ = ["read_messages"]

MAX_FILE_BYTES = 64 * 1024 * 1024


def read_messages(
    path: str | Path, file_format: str | None = None, default_sender: str | None = None
) -> list[dict[str, Any]]:
    """The messages of a CSV or JSON file (by extension unless `file_format` is 'csv' or 'json')."""
    file = Path(path)
    kind = (file_format or file.suffix.lstrip(".")).lower()
    if kind not in ("csv", "json"):
        raise InvalidInput(f"{file.name}: say --format csv or --format json (the extension is {file.suffix or 'none'})")
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput(f"{file.name}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"{file}: cannot read it ({exc.strerror or type(exc).__name__})") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{file.name}: not UTF-8 text") from None
    rows = _csv_rows(text, file.name) if kind == "csv" else _json_rows(text, file.name)
    if not rows:
        raise InvalidInput(f"{file.name}: no messages")
    if default_sender is not None:
        rows = [
            row if row.get("sender") or row.get("smsFrom") or row.get("from") else {**row, "sender": default_sender}
            for row in rows
        ]
    return rows


def _csv_rows(text: str, name: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(text.splitlines())
    header = set(reader.fieldnames or ())
    if not ({"to", "smsTo"} & header and {"text", "smsText"} & header):
        raise InvalidInput(f"{name}: the header row must name at least the columns 'to' and 'text'")
    rows: list[dict[str, Any]] = []
    for row in reader:
        if None in row:
            raise InvalidInput(f"{name}, line {reader.line_num}: more fields than the header has")
        rows.append({key: value for key, value in row.items() if value not in (None, "")})
    return rows


def _json_rows(text: str, name: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(f"{name}: not valid JSON ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        data = data["messages"]
    if not isinstance(data, list):
        raise InvalidInput(f'{name}: expected a list of messages or {{"messages": [...]}}')
    for number, item in enumerate(data):
        if not isinstance(item, dict):
            raise InvalidInput(f"{name}: message {number} is not an object")
    return data

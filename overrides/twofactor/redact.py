"""Keeping secrets out of logs: the `twofactor` logger, URL redaction, and a filter for httpx's logger.

The API key travels in the URL path of every V1 route ("Treat every URL of the V1 routes as a
secret"), so every URL we log is redacted, and so is httpx's own "HTTP Request: GET <url>" line.
Logging is off unless the environment variable TWOFACTOR_LOG is set (to `debug` or `info`).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable

__all__ = ["REDACTED", "logger", "redact", "redact_url", "setup_logging"]

REDACTED = "***"
logger = logging.getLogger("twofactor")

_V1_KEY = re.compile(r"(/API/V1/)[^/?#\s]+")
_QUERY_KEY = re.compile(r"(?i)(apikey=)[^&\s\"']+")


def redact_url(url: str) -> str:
    """Replace the API key of a V1 path and any `apikey=` query value by '***'."""
    return _QUERY_KEY.sub(r"\1" + REDACTED, _V1_KEY.sub(r"\1" + REDACTED, url))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Redact URLs and every given secret (longest first) from `text`."""
    text = redact_url(text)
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


class _RedactingFilter(logging.Filter):
    """Rewrites a record's message with URLs redacted, so no handler ever sees the key."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = redact_url(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = _RedactingFilter()
_LOGGERS = (
    "twofactor",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
_installed = False


def install_filters() -> None:
    """Attach the redacting filter to our logger and to httpx/httpcore's (idempotent)."""
    global _installed
    if _installed:
        return
    # A logger's filters see only records logged on that very logger, not those of its children,
    # so httpcore's per-module loggers are named one by one.
    for name in _LOGGERS:
        logging.getLogger(name).addFilter(_FILTER)
    _installed = True


def setup_logging() -> None:
    """Switch on logging to stderr when TWOFACTOR_LOG is `debug` or `info`; always install the filters."""
    install_filters()
    level_name = os.environ.get("TWOFACTOR_LOG", "").strip().upper()
    if level_name not in ("DEBUG", "INFO"):
        return
    logger.setLevel(getattr(logging, level_name))
    if not any(getattr(handler, "_twofactor", False) for handler in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        handler._twofactor = True  # type: ignore[attr-defined]
        logger.addHandler(handler)

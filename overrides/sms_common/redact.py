"""Keeping secrets out of texts and logs: URL redaction, a redacting log filter, logging by env var.

Query parameters that carry credentials (`apikey=`, `password=`, ...) and a URL's user:password part
are redacted by `redact_url`; a provider whose key travels elsewhere in the URL (2Factor's V1 paths)
adds its own rule in front. Each provider logs to its own logger, switched on by its own
environment variable (`TWOFACTOR_LOG=debug`), and filters httpx's and httpcore's loggers too.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable, Iterable

__all__ = ["HTTP_LOGGERS", "REDACTED", "RedactingFilter", "redact", "redact_url", "setup_logging"]

REDACTED = "***"

_QUERY_SECRET = re.compile(
    r"(?i)(?<![\w-])((?:api_?key|key|secret(?:_?key)?|token|access_token|password|pwd)=)[^&#\s\"']+"
)
_USERINFO = re.compile(r"(?i)(\bhttps?://)[^/@\s]+@")

# A logger's filters see only records logged on that very logger, not those of its children, so
# httpcore's per-module loggers are named one by one.
HTTP_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def redact_url(url: str) -> str:
    """Replace credentials in query parameters and in a URL's user:password part by '***'."""
    return _QUERY_SECRET.sub(r"\1" + REDACTED, _USERINFO.sub(r"\1" + REDACTED + "@", url))


def redact(text: str, secrets: Iterable[str] = (), url_rule: Callable[[str], str] = redact_url) -> str:
    """Apply `url_rule` to `text`, then remove every given secret (longest first)."""
    text = url_rule(text)
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with `url_rule` applied, so no handler ever sees a key in a URL."""

    def __init__(self, url_rule: Callable[[str], str] = redact_url) -> None:
        super().__init__()
        self.url_rule = url_rule

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = self.url_rule(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(logger: logging.Logger, env_var: str, log_filter: logging.Filter) -> None:
    """Attach `log_filter` to `logger` and the HTTP loggers (once); log to stderr when `env_var` is
    `debug` or `info`."""
    for name in (logger.name, *HTTP_LOGGERS):
        target = logging.getLogger(name)
        if log_filter not in target.filters:
            target.addFilter(log_filter)
    level_name = os.environ.get(env_var, "").strip().upper()
    if level_name not in ("DEBUG", "INFO"):
        return
    logger.setLevel(getattr(logging, level_name))
    if not any(getattr(handler, "_sms_common", False) for handler in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        handler._sms_common = True  # type: ignore[attr-defined]
        logger.addHandler(handler)

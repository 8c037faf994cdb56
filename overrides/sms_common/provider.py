"""`Provider`: what the shared machinery needs to know about one provider's client.

Its name (shown in errors), its logger and the environment variable that switches logging on, the
rule that redacts its URLs, and its own classes for network failures and refused arguments (so the retry loop raises
2Factor's `Timeout` for 2Factor, another provider's for that provider).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import redact as _redact
from .errors import InvalidInput, Timeout, TransportError

__all__ = ["Provider"]


@dataclass(frozen=True)
class Provider:
    """One provider client's identity: name, logging, URL redaction, its classes of shared errors."""

    name: str
    logger: logging.Logger
    log_env_var: str  # e.g. TWOFACTOR_LOG: `debug` or `info` switches logging to stderr on
    url_rule: Callable[[str], str] = _redact.redact_url
    transport_error: type[TransportError] = TransportError
    timeout_error: type[Timeout] = Timeout
    input_error: type[InvalidInput] = InvalidInput
    log_filter: _redact.RedactingFilter = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "log_filter", _redact.RedactingFilter(self.url_rule))

    def redact(self, text: str, secrets: Iterable[str] = ()) -> str:
        """`text` with this provider's URL rule applied and every secret removed."""
        return _redact.redact(text, secrets, self.url_rule)

    def setup_logging(self) -> None:
        """Install the redacting filter; log to stderr when the environment variable asks for it."""
        _redact.setup_logging(self.logger, self.log_env_var, self.log_filter)

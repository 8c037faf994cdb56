"""The failover policy: one frozen object holding every choice the gateway makes.

Defaults, and why:
- providers are tried in the order given (`selection="order"`); `"weight"` draws a fresh order per
  send, each provider ahead of the others in proportion to its weight (for spreading cost or load);
- a provider is skipped on a connection failure, a timeout before the request left, HTTP 5xx,
  HTTP 429 or a per-number throttle, "insufficient credits", refused credentials, or any other
  refusal of its own (a template, a sender id); a number the provider calls invalid is raised at
  once (the gateway checked its form first, so no other provider would take it);
- `on_ambiguous="stay"`: a send that may have reached its provider (a timeout after the request
  left, a connection dropped before the reply) does NOT fail over. The ticket is returned marked
  `ambiguous` and stays verifiable where the provider allows it (2Factor by phone number; a local
  code always, since its hash is stored before the SMS goes out). Failing over would send a second
  SMS to a user who may already have one, and the first code would then be refused. The app's
  "resend" button (`resend`) is the way out when no SMS came; it goes to another provider.
  `"fail_over"` trades that for availability: the next provider sends, and only its code counts;
- a breaker per provider opens after 3 failures in a row and lets one probe through after 30 s;
- codes the gateway generates (SMS-only providers) have 6 digits, live 5 minutes, allow 5 wrong
  tries; a ticket allows 3 resends.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import InvalidInput
from .outcomes import FailureKind
from .ticket import MAX_DELIVERIES

__all__ = ["DEFAULT_SMS_TEXT", "FailoverPolicy", "OnAmbiguous", "Selection"]

DEFAULT_SMS_TEXT = "Your verification code is {code}"


class Selection(enum.StrEnum):
    """How the providers are ordered for a send."""

    ORDER = "order"
    WEIGHT = "weight"


class OnAmbiguous(enum.StrEnum):
    """What a send does after its provider may have received the request but gave no answer."""

    STAY = "stay"
    FAIL_OVER = "fail_over"


@dataclass(frozen=True)
class FailoverPolicy:
    """Every choice of the gateway (see the module's text for the defaults' reasons)."""

    selection: Selection = Selection.ORDER
    weights: Mapping[str, float] = field(default_factory=dict)
    on_ambiguous: OnAmbiguous = OnAmbiguous.STAY
    failure_threshold: int = 3
    reset_after: float = 30.0
    code_length: int = 6
    code_ttl: float = 300.0
    max_attempts: int = 5
    max_resends: int = 3
    sms_text: str = DEFAULT_SMS_TEXT

    def __post_init__(self) -> None:
        object.__setattr__(self, "selection", Selection(self.selection))
        object.__setattr__(self, "on_ambiguous", OnAmbiguous(self.on_ambiguous))
        if any(weight < 0 for weight in self.weights.values()):
            raise InvalidInput("weights must be 0 or more")
        if not 4 <= self.code_length <= 10:
            raise InvalidInput("code_length must be 4 to 10 digits")
        if self.code_ttl <= 0 or self.max_attempts < 1 or self.failure_threshold < 1 or self.reset_after <= 0:
            raise InvalidInput(
                "code_ttl and reset_after must be positive, max_attempts and failure_threshold 1 or more"
            )
        if not 0 <= self.max_resends < MAX_DELIVERIES:
            raise InvalidInput(f"max_resends must be 0 to {MAX_DELIVERIES - 1}")
        if self.sms_text.count("{code}") != 1:
            raise InvalidInput("sms_text must hold {code} exactly once")

    def fails_over(self, kind: FailureKind) -> bool:
        """After a failure of this kind, is the next provider tried?"""
        if kind is FailureKind.INVALID_REQUEST:
            return False
        if kind is FailureKind.AMBIGUOUS:
            return self.on_ambiguous is OnAmbiguous.FAIL_OVER
        return True

    def text_for(self, code: str) -> str:
        """The SMS text for a code the gateway generated."""
        return self.sms_text.replace("{code}", code)

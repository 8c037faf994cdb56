"""Providers configured from the environment, by name: what the CLI (and an app that wants it) uses.

| name | class | environment |
| --- | --- | --- |
| `2factor` | `TwoFactorOtp` | `TWOFACTOR_API_KEY`, optional `TWOFACTOR_OTP_TEMPLATE`, `TWOFACTOR_BASE_URL` |
| `2factor-sms` | `TwoFactorSms` | `TWOFACTOR_API_KEY`, `TWOFACTOR_SMS_SENDER`, optional `TWOFACTOR_BASE_URL` |
| `tata` | `TataOtp` | `TATA_SMART2FA_SID`, `_TOKEN`, `_SERVICE`, `_FROM`, optional `TATA_SMART2FA_BASE_URL` |
| `datatechlabs` | `DatatechlabsSms` | `DATATECHLABS_USERNAME`, `_PASSWORD`, `_BASE_URL`, `_SENDER` |

`base_url` given here (the CLI's `--emulator`) replaces every provider's address.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from twofactor.settings import PRODUCTION_URL as TWOFACTOR_URL

from ._sync.base import OtpProvider, SmsProvider
from ._sync.datatechlabs import DatatechlabsSms
from ._sync.tata import TataOtp
from ._sync.twofactor import TwoFactorOtp, TwoFactorSms
from .errors import InvalidInput

__all__ = ["PROVIDERS", "configured", "provider_from_env"]

Env = Mapping[str, str]


def _need(env: Env, name: str, provider: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise InvalidInput(f"the provider {provider!r} needs ${name}")
    return value


def _optional(env: Env, name: str) -> str | None:
    return env.get(name, "").strip() or None


def _twofactor(env: Env, base_url: str | None) -> OtpProvider:
    return TwoFactorOtp(
        _need(env, "TWOFACTOR_API_KEY", "2factor"),
        base_url=base_url or _optional(env, "TWOFACTOR_BASE_URL") or TWOFACTOR_URL,
        template=_optional(env, "TWOFACTOR_OTP_TEMPLATE"),
    )


def _twofactor_sms(env: Env, base_url: str | None) -> SmsProvider:
    return TwoFactorSms(
        _need(env, "TWOFACTOR_API_KEY", "2factor-sms"),
        sender=_need(env, "TWOFACTOR_SMS_SENDER", "2factor-sms"),
        base_url=base_url or _optional(env, "TWOFACTOR_BASE_URL") or TWOFACTOR_URL,
    )


def _tata(env: Env, base_url: str | None) -> OtpProvider:
    return TataOtp(
        _need(env, "TATA_SMART2FA_SID", "tata"),
        _need(env, "TATA_SMART2FA_TOKEN", "tata"),
        service=_need(env, "TATA_SMART2FA_SERVICE", "tata"),
        sender=_need(env, "TATA_SMART2FA_FROM", "tata"),
        base_url=base_url or _optional(env, "TATA_SMART2FA_BASE_URL"),
    )


def _datatechlabs(env: Env, base_url: str | None) -> SmsProvider:
    return DatatechlabsSms(
        _need(env, "DATATECHLABS_USERNAME", "datatechlabs"),
        _need(env, "DATATECHLABS_PASSWORD", "datatechlabs"),
        sender=_need(env, "DATATECHLABS_SENDER", "datatechlabs"),
        base_url=base_url or _need(env, "DATATECHLABS_BASE_URL", "datatechlabs"),  # it publishes none
    )


@dataclass(frozen=True)
class ProviderEntry:
    """How to build one provider from the environment, and the variables that say it is configured."""

    build: Callable[[Env, str | None], OtpProvider | SmsProvider]
    required: tuple[str, ...]


PROVIDERS: dict[str, ProviderEntry] = {
    "2factor": ProviderEntry(_twofactor, ("TWOFACTOR_API_KEY",)),
    "2factor-sms": ProviderEntry(_twofactor_sms, ("TWOFACTOR_API_KEY", "TWOFACTOR_SMS_SENDER")),
    "tata": ProviderEntry(
        _tata, ("TATA_SMART2FA_SID", "TATA_SMART2FA_TOKEN", "TATA_SMART2FA_SERVICE", "TATA_SMART2FA_FROM")
    ),
    "datatechlabs": ProviderEntry(
        _datatechlabs,
        ("DATATECHLABS_USERNAME", "DATATECHLABS_PASSWORD", "DATATECHLABS_BASE_URL", "DATATECHLABS_SENDER"),
    ),
}


def provider_from_env(name: str, env: Env | None = None, base_url: str | None = None) -> OtpProvider | SmsProvider:
    """The provider `name` with its credentials from the environment, or InvalidInput."""
    entry = PROVIDERS.get(name)
    if entry is None:
        raise InvalidInput(f"unknown provider {name!r}: choose from {', '.join(PROVIDERS)}")
    return entry.build(os.environ if env is None else env, base_url)


def configured(env: Env | None = None) -> list[str]:
    """The providers whose required variables are all set."""
    values = os.environ if env is None else env
    return [name for name, entry in PROVIDERS.items() if all(values.get(var, "").strip() for var in entry.required)]


def parse_names(text: str) -> list[str]:
    """`2factor,tata` as a list of known, distinct provider names (InvalidInput otherwise)."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise InvalidInput("--providers needs at least one provider name")
    unknown = [name for name in names if name not in PROVIDERS]
    if unknown:
        raise InvalidInput(f"unknown provider {unknown[0]!r}: choose from {', '.join(PROVIDERS)}")
    if len(set(names)) != len(names):
        raise InvalidInput("--providers names a provider twice")
    return names


def build(names: Sequence[str], env: Env | None = None, base_url: str | None = None) -> list[OtpProvider | SmsProvider]:
    """The named providers from the environment."""
    return [provider_from_env(name, env, base_url) for name in names]

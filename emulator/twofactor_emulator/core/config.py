"""Emulator configuration, read from a TOML file: the `[[accounts]]` tables (API key, secret key,
sandbox, credits, OTP settings, templates, sender ids) and one table per provider family that has
settings of its own (`ProviderFamily.config_section`, read by the family's `read_config`)."""

from __future__ import annotations

import json
import re
import secrets
import tomllib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .phones import PhoneError, normalise_phone

DEFAULT_OTP_TEMPLATE_TEXT = "Your OTP is {otp}"
OTP_PLACEHOLDER = "{otp}"
_API_KEY_RE = re.compile(r"^[A-Za-z0-9-]{4,64}$")
_TEMPLATE_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SENDER_RE = re.compile(r"^[A-Za-z0-9]{1,6}$")
_SECRET_RE = re.compile(r"^[\x21-\x7E]{32}$")
RESEND_POLICIES = ("keep", "invalidate")


class ConfigError(ValueError):
    """The configuration is invalid; the message says where and why (never a secret)."""


@dataclass(frozen=True)
class OtpSettings:
    """How OTPs of one account behave. Defaults are the document's interpretations."""

    ttl_seconds: int = 600
    max_attempts: int = 5
    single_use: bool = True
    # "keep": a new send to a phone leaves its older sessions verifiable by id until they expire
    # (VERIFY3 only ever checks the newest). "invalidate": a new send expires the older ones.
    resend_policy: str = "keep"


@dataclass(frozen=True)
class AccountConfig:
    """One 2Factor account the emulator serves."""

    # repr=False: keys must never reach a log line or a traceback.
    api_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    sandbox: bool | tuple[str, ...] = False
    sender_ids: tuple[str, ...] = ()
    otp_templates: dict[str, str] = field(default_factory=dict)
    default_otp_template: str | None = None
    sms_templates: dict[str, str] = field(default_factory=dict)
    credits: int = 250
    ip_allowlist: tuple[str, ...] = ()
    otp: OtpSettings = field(default_factory=OtpSettings)

    def is_sandbox(self, phone: str | None) -> bool:
        """Whether sandbox mode applies to this account and (canonical) phone number."""
        if self.sandbox is True:
            return True
        if self.sandbox is False or phone is None:
            return False
        return phone in self.sandbox

    @property
    def any_sandbox(self) -> bool:
        """Whether sandbox mode is enabled for the account or any of its numbers."""
        return self.sandbox is True or (isinstance(self.sandbox, tuple) and len(self.sandbox) > 0)

    def otp_template(self, name: str | None) -> str | None:
        """The text of an OTP template, the default when `name` is None; None if unknown."""
        if not self.otp_templates:
            # No templates configured: any name is accepted and the stock text is used.
            return DEFAULT_OTP_TEMPLATE_TEXT
        if name is None:
            name = self.default_otp_template or next(iter(self.otp_templates))
        return self.otp_templates.get(name)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form, used to persist the account in the database."""
        return {
            "api_key": self.api_key,
            "secret_key": self.secret_key,
            "sandbox": self.sandbox if isinstance(self.sandbox, bool) else list(self.sandbox),
            "sender_ids": list(self.sender_ids),
            "otp_templates": dict(self.otp_templates),
            "default_otp_template": self.default_otp_template,
            "sms_templates": dict(self.sms_templates),
            "credits": self.credits,
            "ip_allowlist": list(self.ip_allowlist),
            "otp": {
                "ttl_seconds": self.otp.ttl_seconds,
                "max_attempts": self.otp.max_attempts,
                "single_use": self.otp.single_use,
                "resend_policy": self.otp.resend_policy,
            },
        }


MAX_BUSY_TIMEOUT_SECONDS = 60.0
PEPPER_ENV = "TWOFACTOR_EMULATOR_PEPPER"
_PEPPER_RE = re.compile(r"[0-9a-fA-F]{32,128}")


@dataclass(frozen=True)
class StorageSettings:
    """The `[storage]` table: how long a write waits for another process's lock, and the OTP pepper.

    `otp_pepper` (hex, 16 to 64 bytes; or the environment variable TWOFACTOR_EMULATOR_PEPPER) keys the
    HMAC of stored OTPs; without it each database keeps a random pepper of its own in its meta table.
    """

    busy_timeout_seconds: float = 2.0
    otp_pepper: bytes | None = field(default=None, repr=False)

    def with_environment(self, environ: Mapping[str, str]) -> StorageSettings:
        """The settings with the pepper from the environment when the file gives none."""
        raw = environ.get(PEPPER_ENV)
        if self.otp_pepper is not None or not raw:
            return self
        return StorageSettings(self.busy_timeout_seconds, _pepper(raw, PEPPER_ENV))


def _pepper(raw: Any, where: str) -> bytes:
    if not isinstance(raw, str) or not _PEPPER_RE.fullmatch(raw) or len(raw) % 2:
        raise ConfigError(f"{where}: must be 32 to 128 hexadecimal digits (16 to 64 bytes)")  # never echo it
    return bytes.fromhex(raw)


def parse_storage(raw: Any, where: str = "storage") -> StorageSettings:
    """Validate the `[storage]` table."""
    table = _expect(raw, dict, where)
    unknown = set(table) - {"busy_timeout_seconds", "otp_pepper"}
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    timeout = table.get("busy_timeout_seconds", 2.0)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 <= timeout <= MAX_BUSY_TIMEOUT_SECONDS
    ):
        raise ConfigError(f"{where}.busy_timeout_seconds: must be a number from 0 to {MAX_BUSY_TIMEOUT_SECONDS:g}")
    pepper = None if "otp_pepper" not in table else _pepper(table["otp_pepper"], f"{where}.otp_pepper")
    return StorageSettings(float(timeout), pepper)


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything the config file holds."""

    accounts: tuple[AccountConfig, ...] = ()
    storage: StorageSettings = field(default_factory=StorageSettings)
    sections: Mapping[str, object] = field(default_factory=dict)  # a provider family's own table, as it read it


# A provider family's reader of its own top-level table: (the raw value, where) -> its settings, or ConfigError.
SectionReader = Callable[[Any, str], object]


def new_account() -> AccountConfig:
    """A fresh account with random keys (the default account when no config is given)."""
    return AccountConfig(api_key=str(uuid.uuid4()), secret_key=secrets.token_hex(16))


def _expect(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    # bool is an int in Python; a config that says `credits = true` is a mistake.
    if isinstance(value, bool) and kind in (int, (int, float)):
        raise ConfigError(f"{where}: expected {getattr(kind, '__name__', 'number')}, got a boolean")
    if not isinstance(value, kind):
        raise ConfigError(f"{where}: expected {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
    return value


def _str_list(value: Any, where: str, pattern: re.Pattern[str] | None = None) -> tuple[str, ...]:
    items = _expect(value, list, where)
    out: list[str] = []
    for i, item in enumerate(items):
        text = _expect(item, str, f"{where}[{i}]")
        if pattern is not None and not pattern.fullmatch(text):
            raise ConfigError(f"{where}[{i}]: {text!r} does not match {pattern.pattern}")
        out.append(text)
    return tuple(out)


def _templates(value: Any, where: str, need_placeholder: bool) -> dict[str, str]:
    table = _expect(value, dict, where)
    out: dict[str, str] = {}
    for name, text in table.items():
        if not _TEMPLATE_NAME_RE.fullmatch(name):
            raise ConfigError(f"{where}: template name {name!r} must be 1-64 letters, digits, '_' or '-'")
        body = _expect(text, str, f"{where}.{name}")
        if need_placeholder and OTP_PLACEHOLDER not in body:
            raise ConfigError(f"{where}.{name}: the text must contain the placeholder {OTP_PLACEHOLDER}")
        out[name] = body
    return out


_ACCOUNT_KEYS = {
    "api_key",
    "secret_key",
    "sandbox",
    "sender_ids",
    "otp_templates",
    "default_otp_template",
    "sms_templates",
    "credits",
    "ip_allowlist",
    "otp",
}
_OTP_KEYS = {"ttl_seconds", "max_attempts", "single_use", "resend_policy"}


def parse_account(raw: Any, where: str) -> AccountConfig:
    """Validate one `[[accounts]]` table (also used to reload persisted accounts)."""
    table = _expect(raw, dict, where)
    unknown = set(table) - _ACCOUNT_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for required in ("api_key", "secret_key"):
        if required not in table:
            raise ConfigError(f"{where}: {required} is required")
    api_key = _expect(table["api_key"], str, f"{where}.api_key")
    if not _API_KEY_RE.fullmatch(api_key):
        raise ConfigError(f"{where}.api_key: must be 4-64 letters, digits or '-'")
    secret_key = _expect(table["secret_key"], str, f"{where}.secret_key")
    if not _SECRET_RE.fullmatch(secret_key):
        raise ConfigError(f"{where}.secret_key: must be exactly 32 printable ASCII characters (the AES-256 key)")
    raw_sandbox = table.get("sandbox", False)
    sandbox: bool | tuple[str, ...]
    if isinstance(raw_sandbox, bool):
        sandbox = raw_sandbox
    else:
        phones = _str_list(raw_sandbox, f"{where}.sandbox")
        try:
            sandbox = tuple(normalise_phone(p) for p in phones)
        except PhoneError as exc:
            raise ConfigError(f"{where}.sandbox: {exc}") from None
    otp_templates = _templates(table.get("otp_templates", {}), f"{where}.otp_templates", need_placeholder=True)
    default = table.get("default_otp_template")
    if default is not None:
        _expect(default, str, f"{where}.default_otp_template")
        if default not in otp_templates:
            raise ConfigError(f"{where}.default_otp_template: {default!r} is not one of otp_templates")
    credits = _expect(table.get("credits", 250), int, f"{where}.credits")
    otp_raw = _expect(table.get("otp", {}), dict, f"{where}.otp")
    unknown = set(otp_raw) - _OTP_KEYS
    if unknown:
        raise ConfigError(f"{where}.otp: unknown key(s) {', '.join(sorted(unknown))}")
    ttl = _expect(otp_raw.get("ttl_seconds", 600), int, f"{where}.otp.ttl_seconds")
    attempts = _expect(otp_raw.get("max_attempts", 5), int, f"{where}.otp.max_attempts")
    if ttl <= 0 or attempts <= 0:
        raise ConfigError(f"{where}.otp: ttl_seconds and max_attempts must be positive")
    single_use = _expect(otp_raw.get("single_use", True), bool, f"{where}.otp.single_use")
    policy = _expect(otp_raw.get("resend_policy", "keep"), str, f"{where}.otp.resend_policy")
    if policy not in RESEND_POLICIES:
        raise ConfigError(f"{where}.otp.resend_policy: must be one of {', '.join(RESEND_POLICIES)}")
    return AccountConfig(
        api_key=api_key,
        secret_key=secret_key,
        sandbox=sandbox,
        sender_ids=_str_list(table.get("sender_ids", []), f"{where}.sender_ids", _SENDER_RE),
        otp_templates=otp_templates,
        default_otp_template=default,
        sms_templates=_templates(table.get("sms_templates", {}), f"{where}.sms_templates", need_placeholder=False),
        credits=credits,
        ip_allowlist=_str_list(table.get("ip_allowlist", []), f"{where}.ip_allowlist"),
        otp=OtpSettings(ttl_seconds=ttl, max_attempts=attempts, single_use=single_use, resend_policy=policy),
    )


def parse_config(data: dict[str, Any], sections: Mapping[str, SectionReader] | None = None) -> EmulatorConfig:
    """Validate a parsed TOML document; `sections` reads the provider families' own tables (by key)."""
    readers = sections or {}
    unknown = set(data) - {"accounts", "storage", *readers}
    if unknown:
        raise ConfigError(f"unknown top-level key(s) {', '.join(sorted(unknown))}")
    raw_accounts = _expect(data.get("accounts", []), list, "accounts")
    accounts = tuple(parse_account(raw, f"accounts[{i}]") for i, raw in enumerate(raw_accounts))
    seen: set[str] = set()
    secrets_seen: set[str] = set()
    for i, account in enumerate(accounts):
        if account.api_key in seen:
            raise ConfigError(f"accounts[{i}].api_key: duplicate api_key")
        if account.secret_key in secrets_seen:
            # ENC finds the account by its secret key, so two accounts cannot share one.
            raise ConfigError(f"accounts[{i}].secret_key: duplicate secret_key")
        seen.add(account.api_key)
        secrets_seen.add(account.secret_key)
    own = {key: read(data[key], key) for key, read in readers.items() if key in data}
    storage = parse_storage(data["storage"]) if "storage" in data else StorageSettings()
    return EmulatorConfig(accounts=accounts, storage=storage, sections=own)


def load_config(path: str | Path, sections: Mapping[str, SectionReader] | None = None) -> EmulatorConfig:
    """Read and validate a TOML config file (or JSON of the same shape, by its `.json` suffix)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {str(path)!r}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:  # TOMLDecodeError and JSONDecodeError are ValueErrors
        kind = "JSON" if path.suffix == ".json" else "TOML"
        raise ConfigError(f"config file {str(path)!r} is not valid {kind}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(path)!r} must hold a table of accounts")
    return parse_config(data, sections)


def resolve_config(
    value: EmulatorConfig | dict[str, Any] | str | Path | None, sections: Mapping[str, SectionReader] | None = None
) -> EmulatorConfig | None:
    """A config given as a parsed TOML dict, a file path, an `EmulatorConfig`, or None (default account)."""
    if value is None or isinstance(value, EmulatorConfig):
        return value
    if isinstance(value, dict):
        return parse_config(value, sections)
    return load_config(value, sections)

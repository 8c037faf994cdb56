"""2Factor's account checks, answered with its error texts: the API key, the IP allowlist, DLT sender
ids and approved texts (the rules themselves are the shared `Service`'s)."""

from __future__ import annotations

from ...core.config import AccountConfig
from ...core.service import Service, ip_allowed
from . import errors


def authorised(service: Service, api_key: str, client_ip: str | None) -> AccountConfig:
    """The account of an API key, or the 2Factor error."""
    account = service.find_account(api_key)
    if account is None:
        raise errors.Refused(errors.INVALID_API_KEY)
    if account.ip_allowlist and not ip_allowed(client_ip, account.ip_allowlist):
        raise errors.Refused(errors.IP_NOT_ALLOWED, sandbox=account.sandbox is True)
    return account


def check_sender(account: AccountConfig, sender: str) -> None:
    """An account that lists sender ids accepts only those."""
    if not Service.sender_allowed(account, sender):
        raise errors.Refused(errors.INVALID_SENDER)


def check_text(account: AccountConfig, text: str) -> None:
    """An account that lists SMS templates accepts only texts matching one."""
    if not Service.text_approved(account, text):
        raise errors.Refused(errors.TEXT_NOT_APPROVED)

"""Which 2Factor account a request counts against for the rate limit (core/faults.py applies it).

The API key in a V1 path, the `apikey` of an R1 query, form or bulk JSON body, or the Secret-Key
header of the encrypted route, counted under the account's API key; a key of no account is not
counted (the handler refuses it), so made-up keys cannot each get a fresh bucket. Sandbox accounts
are exempt: 2Factor's docs promise "no rate limits" in the sandbox. It reads a key as the handler
does: a repeated query parameter never gets here (the edge refuses it, core/edge.py), forms and JSON
are parsed by the handler's own functions (`core.http.parse_form` refuses a repeated field; in JSON
the last `apikey` wins for both).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.types import Receive, Scope

from ...core.faults import AccountKeyOf, buffered_body
from ...core.http import FormError, JsonError, parse_form, parse_json_async
from ...core.service import Service

_SECRET = "secret:"  # noqa: S105 - not a secret: marks a Secret-Key header's value among the keys `_key` finds


def account_key(service: Service) -> AccountKeyOf:
    """The family's `account_key` over `service` (which knows the sandbox accounts)."""

    async def find(scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
        key, receive = await _key(scope, receive)
        if key is None:
            return None, receive
        if key.startswith(_SECRET):
            account = service.account_by_secret(key.removeprefix(_SECRET))
        else:
            account = service.find_account(key)
        # Only known accounts count (a made-up key would get a fresh bucket), each under its API key
        # whichever credential named it; the handler refuses the others.
        if account is None or account.sandbox is True:
            return None, receive
        return account.api_key, receive

    return find


async def _key(scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
    path: str = scope["path"]
    if path.startswith("/API/V1/"):
        return path.split("/")[3], receive
    if scope["method"] == "GET":
        return _first(parse_qs(scope.get("query_string", b"").decode("latin-1")), "apikey"), receive
    secret = dict(scope["headers"]).get(b"secret-key")
    if secret is not None:
        return _SECRET + secret.decode("latin-1"), receive
    body, replay = await buffered_body(receive)
    if not path.startswith("/API/R1/Bulk"):
        try:
            form = parse_form(body)  # as the handler reads it
        except FormError:  # the handler refuses it (a repeated field included): nothing to count
            return None, replay
        return form.get("apikey"), replay
    try:
        data = await parse_json_async(body)
    except JsonError:
        return None, replay
    key = data.get("apikey") if isinstance(data, dict) else None
    return (key if isinstance(key, str) else None), replay


def _first(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name)
    return found[0] if found else None

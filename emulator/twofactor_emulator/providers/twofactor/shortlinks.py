"""Short links: with `shortenurl=1` or a `campaignname`, every URL in an R1 text becomes an emulator
short link `<emulator>/<HEADER>/<code>`, the docs' `https://e.1rp.in/<DLT header>/<code>` form served
by the emulator itself. `<emulator>` is the configured public URL (`--public-url`), else the listening
address, never the request's `Host` header (core/http.public_base_url). Each recipient gets links of
their own, so a click names its phone.

Opening one redirects (302) to the original URL and posts the docs' webhooks as forms:
- to `campaignwebhook` (campaign links): accessed, phoneNo, campaignName, ip;
- to `shortenurlwebhook`: accessed, phoneNo, ip, shortUrl, longUrl, callbackValue (openapi/twofactor.yaml's
  interpretation of the body the docs do not show).

Click webhooks are posted once, without retries (the docs promise none); each attempt goes into the
delivery log (`GET /_emulator/webhooks/log`) with the link's code as `messageId`.
Links are stored in the `short_links` table, written in the send's own transaction.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import sqlite3
import string
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

from ...core.clock import india_text, iso_utc
from ...core.http import public_base_url
from ...core.phones import national
from ...core.service import Service
from ...core.store import Store
from ...core.webhooks import WebhookDispatcher, redacted_url
from . import replies

_URL_IN_TEXT = re.compile(r"https?://[^\s]+")
_CODE_ALPHABET = string.ascii_lowercase + string.digits
# The docs' example has 5 characters; 10 keeps codes apart for the emulator's whole life. With n links
# stored, a new code meets an old one with probability n / 36**10 (36**10 ≈ 3.7e15), and the expected
# number of collisions over n links is about n**2 / (2 * 36**10): for ten million links (10,000 sends of
# 1,000 recipients) that is 0.014, against 23,000 with 6 characters (36**6 ≈ 2.2e9). A collision that
# happens anyway costs one more draw (`_store_link`), never a refused send.
CODE_LENGTH = 10
_OLD_CODE_LENGTH = 6  # links stored by earlier emulators keep working
MAX_DRAWS = 8  # draws per link before giving up: 8 collisions in a row mean a broken generator, not bad luck
_HEADER_RE = re.compile(r"[A-Za-z0-9]{1,6}", re.ASCII)
_CODE_RE = re.compile(f"[a-z0-9]{{{_OLD_CODE_LENGTH}}}|[a-z0-9]{{{CODE_LENGTH}}}", re.ASCII)
NOT_FOUND = "Invalid Short Link - No Such Code"


@dataclass(frozen=True)
class LinkOptions:
    """The short-link fields of one R1 request."""

    base_url: str
    campaign: str | None
    campaign_webhook: str | None
    short_webhook: str | None
    callback: str | None


def link_options(form: Any, base_url: str) -> LinkOptions | None:
    """The request's options, or None when it asks for no short links."""
    flag = getattr(form, "shortenurl", None)
    if getattr(flag, "value", flag) != "1" and not form.campaignname:
        return None
    return LinkOptions(
        base_url=base_url.rstrip("/"),
        campaign=form.campaignname,
        campaign_webhook=None if form.campaignwebhook is None else str(form.campaignwebhook),
        short_webhook=None if form.shortenurlwebhook is None else str(form.shortenurlwebhook),
        callback=form.shortenurlcallback,
    )


def shorten(
    store: Store, options: LinkOptions, phones: list[str | None], text: str, header: str, now: float
) -> list[str]:
    """One text per recipient with its own short links, stored in the caller's transaction."""
    texts = []
    with store.transaction() as cur:
        for phone in phones:
            if phone is None:
                texts.append(text)
                continue

            def link(match: re.Match[str], phone: str = phone) -> str:
                fields = (header, phone, match.group(0), options.campaign, options.campaign_webhook)
                code = _store_link(cur, (*fields, options.short_webhook, options.callback, now))
                return f"{options.base_url}/{header}/{code}"

            texts.append(_URL_IN_TEXT.sub(link, text))
    return texts


def new_code() -> str:
    """A random link code of `CODE_LENGTH` lowercase letters and digits (the OS's CSPRNG)."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _store_link(cur: sqlite3.Cursor, fields: tuple[Any, ...]) -> str:
    """Insert a link under a fresh code, drawing again when the code is taken; returns the code."""
    for _ in range(MAX_DRAWS):
        code = new_code()
        cur.execute(
            "INSERT INTO short_links (code, header, phone, long_url, campaign, campaign_webhook, "
            "short_webhook, callback, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
            (code, *fields),
        )
        if cur.rowcount == 1:
            return code
    raise RuntimeError(f"no free short-link code in {MAX_DRAWS} draws")


class ShortLinks:
    """The click handler: redirect, count, post the webhooks."""

    def __init__(self, service: Service, webhooks: WebhookDispatcher) -> None:
        self.service = service
        self.webhooks = webhooks
        self._posts: set[asyncio.Task[None]] = set()  # keeps fire-and-forget tasks alive

    async def endpoint(self, request: Request) -> Response:
        """GET /{header}/{code} (`ShortLinkRoute`)."""
        return await self.open(request, request.path_params["header"], request.path_params["code"])

    async def open(self, request: Request, header: str, code: str) -> Response:
        """GET /{header}/{code}: 302 to the original URL."""
        store = self.service.store

        def count_click() -> Any:
            with store.transaction() as cur:
                row = cur.execute(
                    "SELECT long_url, phone, campaign, campaign_webhook, short_webhook, callback FROM short_links "
                    "WHERE code = ? AND header = ?",
                    (code, header),
                ).fetchone()
                if row is not None:
                    cur.execute("UPDATE short_links SET clicks = clicks + 1 WHERE code = ?", (code,))
            return row

        row = await self.service.batcher.run(count_click, quick=True)
        if row is None:
            return replies.status_body("Error", NOT_FOUND, 404)
        long_url, phone, campaign, campaign_webhook, short_webhook, callback = row
        base = {
            "accessed": india_text(self.service.now()),
            "phoneNo": national(phone),
            "ip": request.client.host if request.client else "",
        }
        if campaign_webhook is not None:
            self._post(code, campaign_webhook, {**base, "campaignName": campaign or ""})
        if short_webhook is not None:
            short_url = f"{public_base_url(request)}/{header}/{code}"
            short = {**base, "shortUrl": short_url, "longUrl": long_url}
            if callback is not None:
                short["callbackValue"] = callback
            self._post(code, short_webhook, short)
        return RedirectResponse(long_url, status_code=302)

    def _post(self, code: str, url: str, form: dict[str, str]) -> None:
        task = asyncio.get_running_loop().create_task(self._send(code, url, form))
        self._posts.add(task)
        task.add_done_callback(self._posts.discard)

    async def _send(self, code: str, url: str, form: dict[str, str]) -> None:
        status_code, error = await self.webhooks.post(url, data=form)  # its deadline and concurrency bound
        acknowledged = status_code is not None and 200 <= status_code < 300
        self.webhooks.log.append(
            {
                "messageId": code,
                "url": redacted_url(url),
                "attempt": 1,
                "at": iso_utc(self.service.now()),
                "statusCode": status_code,
                "error": error,
                "outcome": "acknowledged" if acknowledged else "gave up",
                "payload": form,
            }
        )


class ShortLinkRoute(Route):
    """GET /{header}/{code}: matches only a path of a short link's shape (a DLT header of 1-6 letters or
    digits, a code of `CODE_LENGTH`, or 6 as older emulators stored, lowercase letters or digits) and
    only GET/HEAD. Anything else does not match at all, so this route, placed after every other one,
    never shadows a route, never turns another path's 404 into a 405 and is left out of `Allow`."""

    def __init__(self, links: ShortLinks, reserved: tuple[str, ...] = ()) -> None:
        super().__init__(
            "/{header}/{code}", links.endpoint, methods=["GET"], include_in_schema=False, name="openShortLink"
        )
        self.reserved = reserved  # path prefixes of other route families, never a short link

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """FULL for a GET/HEAD of a short link's shape, NONE for anything else."""
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return Match.NONE, {}
        if self.reserved and scope["path"].startswith(self.reserved):
            return Match.NONE, {}
        parts = scope["path"].split("/")
        if len(parts) != 3 or not (_HEADER_RE.fullmatch(parts[1]) and _CODE_RE.fullmatch(parts[2])):
            return Match.NONE, {}
        return super().matches(scope)

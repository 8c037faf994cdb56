"""The control API's guard against other web pages and other hosts (core/edge.py runs it on every
request under `/_emulator/`, before routing).

A browser lets any page it shows send requests to 127.0.0.1, and DNS rebinding lets a page on
another name reach it as if same-origin. In order:

1. `Host` must name the emulator (loopback names, the bound host, the public URL's host): else 421.
2. A browser's cross-site request (`Sec-Fetch-Site: cross-site|same-site`, or an `Origin` other than
   the emulator's own) is refused: 403. Requests without those headers (curl, httpx, test helpers)
   are not browser requests and pass.
3. With a control token: `Authorization: Bearer <token>`, or the cookie a browser gets by opening
   `/_emulator/inbox?token=<token>` once (HttpOnly, SameSite=Strict; it holds an HMAC of the token,
   not the token, so the browser's cookie store never has the token itself); else 401.
4. A state-changing route (POST, PUT) needs `Content-Type: application/json`: else 415 (checked
   by the route, control/routes.py, after a wrong method got its 405). A browser sends JSON
   cross-site only after a CORS preflight, which the emulator never grants.

Every refusal is the control API's `{"error": ...}` shape.
"""

from __future__ import annotations

import hashlib
import hmac
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import Scope

from ..core.edge import ServerSettings, host_name
from .params import ControlError, error_reply

COOKIE = "twofactor_emulator_control"
INBOX = "/_emulator/inbox"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRONG_HOST = "the Host header does not name this emulator (allowed: loopback names and the configured host)"
CROSS_SITE = "cross-site requests to the control API are refused"
NEEDS_TOKEN = "the control API needs its token: Authorization: Bearer <token>"  # noqa: S105 - a message, not a secret
NEEDS_JSON = "a state-changing control request must have Content-Type: application/json"


class ControlGuard:
    """The checks above, over one server's settings."""

    def __init__(self, settings: ServerSettings) -> None:
        self.allowed_hosts = None if settings.in_process else settings.allowed_hosts
        token = None if settings.control_token is None else settings.control_token.encode("utf-8")
        self._token = token
        self._cookie = None if token is None else hmac.new(token, COOKIE.encode(), hashlib.sha256).hexdigest()

    def __call__(self, scope: Scope) -> Response | None:
        """A refusal (or the inbox's cookie-setting redirect), or None to let the request through."""
        headers = _headers(scope)
        host = headers.get("host")
        if self.allowed_hosts is not None and host is not None and host_name(host) not in self.allowed_hosts:
            return error_reply(WRONG_HOST, 421)
        if _cross_site(headers, host):
            return error_reply(CROSS_SITE, 403)
        if self._token is not None:
            if scope["path"] == INBOX and scope["method"] == "GET":
                offered = _query_token(scope)
                if offered is not None:
                    return self._inbox_login(scope, offered)
            if not self._authorised(headers):
                return _unauthorised()
        return None

    def _matches(self, offered: str | None) -> bool:
        assert self._token is not None
        return offered is not None and hmac.compare_digest(offered.encode("utf-8"), self._token)

    def _authorised(self, headers: dict[str, str]) -> bool:
        scheme, _, credentials = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self._matches(credentials.strip()):
            return True
        cookie = _cookie(headers.get("cookie", ""))
        assert self._cookie is not None
        return cookie is not None and hmac.compare_digest(cookie.encode("utf-8"), self._cookie.encode())

    def _inbox_login(self, scope: Scope, offered: str) -> Response:
        """`GET /_emulator/inbox?token=...`: the right token sets the cookie and reloads the page
        without the token in its URL (out of the address bar and the history)."""
        if not self._matches(offered):
            return error_reply(NEEDS_TOKEN, 401)
        query: bytes = scope["query_string"]
        rest = [(k, v) for k, v in parse_qsl(query.decode("latin-1")) if k != "token"]
        response = RedirectResponse(INBOX + ("?" + urlencode(rest) if rest else ""), status_code=303)
        assert self._cookie is not None
        response.set_cookie(COOKIE, self._cookie, path="/_emulator", httponly=True, samesite="strict")
        return response


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}


def _cross_site(headers: dict[str, str], host: str | None) -> bool:
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    netloc = urlsplit(origin).netloc.lower() if origin != "null" else ""
    return host is None or netloc != host.strip().lower()


def _query_token(scope: Scope) -> str | None:
    query: bytes = scope["query_string"]
    for name, value in parse_qsl(query.decode("latin-1")):
        if name == "token":
            return value
    return None


def _cookie(header: str) -> str | None:
    if not header:
        return None
    try:
        morsel = SimpleCookie(header).get(COOKIE)
    except CookieError:
        return None
    return None if morsel is None else str(morsel.value)


def require_json(request: Request) -> None:
    """415 unless a state-changing request says its body is JSON."""
    if request.method in STATE_CHANGING and not _is_json(request.headers.get("content-type", "")):
        raise ControlError(NEEDS_JSON, 415)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _unauthorised() -> Response:
    response = error_reply(NEEDS_TOKEN, 401)
    response.headers["WWW-Authenticate"] = 'Bearer realm="twofactor-emulator control API"'
    return response

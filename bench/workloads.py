"""The loads, defined once for both load generators: the Python one (`bench.loadgen`) builds its
requests here, `wrk` runs the Lua script of the same name in bench/lua/ with the same arguments.

- `otp`: the OTP send and verify mix. Each connection sends an OTP of its choosing (the custom-OTP
  route, so the benchmark knows the code without reading the outbox), then verifies the session id
  the reply carried, and so on: half sends, half verifies, every verify against a real session.
- `r1`: one transactional SMS per request through the R1 form route.
- `bulk`: one bulk request of `BULK_MESSAGES` messages.

A reply counts as an error unless it is HTTP 200 with `"Status":"Success"` (V1, R1) or
`"success":true` (bulk): an emulator that answered errors quickly must not look fast.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

OTP_CODE = "123456"
BULK_MESSAGES = 100  # per request of the bulk load; the one-shot bulk measurement sends 1000
SENDER = "BENCHS"
TEXT = "Your order 4821 has shipped and will arrive tomorrow."
_DETAILS = re.compile(rb'"Details"\s*:\s*"([^"]+)"')
LOAD_NAMES = ("otp", "r1", "bulk")


def random_phone() -> str:
    """A random Indian mobile number, so no two sends share a phone by design."""
    return f"919{random.randrange(10**9):09d}"


def bulk_body(api_key: str, count: int) -> bytes:
    """A bulk request body of `count` messages to distinct numbers."""
    messages = [{"smsFrom": SENDER, "smsTo": "+" + random_phone(), "smsText": TEXT} for _ in range(count)]
    return json.dumps({"module": "TRANS_SMS", "apikey": api_key, "messages": messages}).encode()


def reply_ok(status: int, body: bytes) -> bool:
    """Whether a reply is a success in 2Factor's terms (see the module docstring)."""
    return status == 200 and (b'"Status":"Success"' in body or b'"success":true' in body)


@dataclass
class Request:
    method: str
    path: str
    body: bytes = b""
    content_type: str = ""


@dataclass
class Conversation:
    """What one connection sends next; `otp` keeps the session id between its send and verify."""

    load: str
    api_key: str
    pending_session: str | None = field(default=None)

    def next_request(self) -> Request:
        key = self.api_key
        if self.load == "otp":
            if self.pending_session is None:
                return Request("GET", f"/API/V1/{key}/SMS/{random_phone()}/{OTP_CODE}")
            session, self.pending_session = self.pending_session, None
            return Request("GET", f"/API/V1/{key}/SMS/VERIFY/{session}/{OTP_CODE}")
        if self.load == "r1":
            form = {"module": "TRANS_SMS", "apikey": key, "to": random_phone(), "from": SENDER, "msg": TEXT}
            return Request("POST", "/API/R1/", urlencode(form).encode(), "application/x-www-form-urlencoded")
        if self.load == "bulk":
            return Request("POST", "/API/R1/Bulk/", bulk_body(key, BULK_MESSAGES), "application/json")
        raise ValueError(f"unknown load {self.load!r}: use one of {', '.join(LOAD_NAMES)}")

    def on_reply(self, request: Request, status: int, body: bytes) -> bool:
        """Note what the reply means for the next request; return whether it was a success."""
        ok = reply_ok(status, body)
        if ok and self.load == "otp" and "/VERIFY/" not in request.path:
            match = _DETAILS.search(body)
            self.pending_session = match.group(1).decode() if match else None
        return ok


def wrk_script(load: str) -> str:
    """The file name of the Lua script that generates `load` for wrk."""
    if load not in LOAD_NAMES:
        raise ValueError(f"unknown load {load!r}")
    return f"{load}.lua"

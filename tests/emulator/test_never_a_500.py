"""Random path segments, queries, headers and bodies on every route family and on every control
route, with deep JSON nesting and numbers past every range among them: never a 500, always JSON in
the route family's error shape (or a success)."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twofactor_emulator.control.routes import ROUTES
from twofactor_emulator.testing import create_app

from .conftest import API_KEY, CONFIG, SECRET_KEY

APP = create_app(config=CONFIG)
TEMPLATES = [
    "/API/V1/{key}/SMS/{a}/AUTOGEN",
    "/API/V1/{key}/SMS/{a}/AUTOGEN2/{b}",
    "/API/V1/{key}/SMS/{a}/{b}",
    "/API/V1/{key}/SMS/{a}/{b}/{c}",
    "/API/V1/{key}/SMS/VERIFY/{a}/{b}",
    "/API/V1/{key}/SMS/VERIFY3/{a}/{b}",
    "/API/V1/{key}/SMS/{a}/AUTOGEND/{b}",
    "/API/V1/{key}/VOICE/{a}/{b}",
    "/API/V1/{a}/BAL/SMS",
    "/API/R1/",
    "/API/R1",
    "/API/R1/Bulk/",
    "/_emulator/messages",
    "/_emulator/reset",
    "/_emulator/clock/advance",
    "/{a}/{b}",
]
segment = st.text(min_size=1, max_size=20).map(lambda t: quote(t, safe=""))
DEEP = b"[" * 1500 + b"]" * 1500
# Numbers past every range a route checks: 64-bit overflow, a float overflow, huge integers, year 10000.
OVERFLOW = [2**63, -(2**63) - 1, 2**64, 10**400, 1e308, -1, 2**53 + 1, 253402300800, 10**6 * 86400 * 366]
hostile_bodies = st.sampled_from(
    [
        DEEP,
        b'{"apikey":"' + API_KEY.encode() + b'","messages":' + DEEP + b"}",
        b'{"module":"TRANS_SMS","apikey":"' + API_KEY.encode() + b'","messages":[{"smsFrom":"TFACTR",'
        b'"smsTo":1e400,"smsText":"x"}]}',
        b'{"module":"TRANS_SMS","apikey":"' + API_KEY.encode() + b'","messages":[{"smsFrom":"TFACTR",'
        b'"smsTo":"9999999999","smsText":"x","callbackValue1":' + str(10**400).encode() + b"}]}",
    ]
)


async def send(method: str, url: str, body: bytes, headers: dict[str, bytes]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url="http://emulator") as client:
        return await client.request(method, url, content=body, headers=headers)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    template=st.sampled_from(TEMPLATES),
    a=segment,
    b=segment,
    c=segment,
    method=st.sampled_from(["GET", "POST", "PUT"]),
    query=st.sampled_from(["", "?module=ENC", "?module=ENC&encmode=GCM", "?module=TRANS_SMS&to=1", "?phone=%00"]),
    body=st.one_of(
        st.binary(max_size=300), st.just(b'{"module":"TRANS_SMS","apikey":"' + API_KEY.encode() + b'"}'), hostile_bodies
    ),
    secret=st.sampled_from([None, SECRET_KEY, "short", "\u00e9" * 32]),
)
def test_random_requests_never_get_a_500(
    template: str, a: str, b: str, c: str, method: str, query: str, body: bytes, secret: str | None
) -> None:
    url = template.format(key=API_KEY, a=a, b=b, c=c) + query
    headers = {} if secret is None else {"Secret-Key": secret.encode("utf-8")}
    reply = asyncio.run(send(method, url, body, headers))
    assert reply.status_code < 500, (url, reply.text)
    if reply.status_code != 204 and reply.headers.get("content-type", "").startswith("application/json"):
        reply.json()
    else:  # a sealed ENC success, which random input cannot produce, or a long-poll's 204
        assert reply.status_code in (200, 204), (url, reply.status_code, reply.headers)


# Every control route but the event stream (a 25-second stream is no request/reply), with the long
# poll's timeout kept short.
CONTROL_ROUTES = [(method, path) for name, method, path, _ in ROUTES if name != "streamEvents"]
FIELDS = [
    "seconds", "delaySeconds", "url", "maxAttempts", "backoffSeconds", "rules", "rateLimit", "seed", "maxMessages",
    "maxAgeSeconds", "phone", "requestsPerSecond", "kind", "operation", "probability", "count", "latencyMs",
    "latencyMaxMs", "status", "details",
]  # fmt: skip
json_leaf = st.one_of(
    st.sampled_from(OVERFLOW),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.none(),
    st.booleans(),
    st.text(max_size=10),
)
json_value = st.recursive(
    json_leaf,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), children, max_size=4),
    max_leaves=12,
)
control_body = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), json_value, max_size=5).map(lambda d: json.dumps(d).encode()),
    st.sampled_from([DEEP, b'{"seconds":' + DEEP + b"}", b'{"seconds":' + str(10**400).encode() + b"}"]),
    st.binary(max_size=100),
)
control_query = st.one_of(
    st.just(""),
    st.builds(
        lambda name, value: f"?{name}={quote(str(value), safe='')}",
        st.sampled_from(["phone", "limit", "after", "timeout"]),
        st.one_of(st.sampled_from(OVERFLOW), st.text(max_size=12)),
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    route=st.sampled_from(CONTROL_ROUTES),
    other_method=st.sampled_from([None, "GET", "POST", "PUT", "DELETE"]),
    query=control_query,
    body=control_body,
    content_type=st.sampled_from(["application/json", "application/json", "text/plain", None]),
)
def test_random_control_requests_never_get_a_500(
    route: tuple[str, str], other_method: str | None, query: str, body: bytes, content_type: str | None
) -> None:
    method, path = route
    if path.endswith("/wait"):
        query = "?phone=919999999999&timeout=0" + query.replace("?", "&")
    headers = {} if content_type is None else {"Content-Type": content_type}
    reply = asyncio.run(send(other_method or method, path + query, body, headers))
    assert reply.status_code < 500, (path, query, body[:200], reply.text)
    if 300 <= reply.status_code < 400:  # GET / sends a browser to the inbox
        assert reply.headers["location"].startswith("/_emulator/"), reply.headers
    elif reply.status_code != 204:
        if path.endswith("/inbox") and reply.status_code == 200:
            assert reply.headers["content-type"].startswith("text/html")
        else:
            assert set(reply.json()) != {"error"} or reply.json()["error"], reply.text

"""Random path segments, queries, headers and bodies on every route family: never a 500, always JSON
in the route family's error shape (or a success)."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
    body=st.one_of(st.binary(max_size=300), st.just(b'{"module":"TRANS_SMS","apikey":"' + API_KEY.encode() + b'"}')),
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

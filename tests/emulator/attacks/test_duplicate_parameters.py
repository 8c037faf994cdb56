"""A repeated query or form parameter is refused with 400 in the route family's shape, on every
route, so nothing can read one value where another part reads the other. (With
`apikey=decoy&apikey=REAL`, the rate limiter counted the decoy and the handler served the real
account: 40 of 40 requests passed a limit of 5 per second.)"""

from __future__ import annotations

from typing import Any

import httpx

PHONE = "+919999999999"


def test_a_repeated_apikey_neither_passes_the_rate_limit_nor_sends(serve: Any) -> None:
    with serve() as emulator, httpx.Client(base_url=emulator.base_url) as http:
        assert http.put("/_emulator/faults", json={"rateLimit": {"requestsPerSecond": 5}}).status_code == 200
        query = f"module=TRANS_SMS&to=9999999999&from=TFACTR&msg=hi&apikey=decoy&apikey={emulator.api_key}"
        form = {"module": "TRANS_SMS", "to": "9999999999", "from": "TFACTR", "msg": "hi"}
        form_body = httpx.QueryParams(form).add("apikey", "decoy").add("apikey", emulator.api_key)
        for _ in range(20):
            by_query = http.get(f"/API/R1/?{query}")
            by_form = http.post(
                "/API/R1/", content=str(form_body), headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
            for reply in (by_query, by_form):
                assert reply.status_code == 400, reply.text
                assert reply.json() == {"Status": "Error", "Details": "Duplicate Parameter - apikey"}
        assert http.get("/_emulator/messages").json()["messages"] == []


def test_every_route_family_refuses_repeated_query_parameters_in_its_shape(serve: Any) -> None:
    with serve() as emulator, httpx.Client(base_url=emulator.base_url) as http:
        v1 = http.get(f"/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN?x=1&x=2")
        assert (v1.status_code, v1.json()) == (400, {"Status": "Error", "Details": "Duplicate Parameter - x"})
        bulk = http.post("/API/R1/Bulk/?a=1&a=2", json={})
        assert bulk.status_code == 400 and bulk.json()["success"] is False
        assert bulk.json()["error"] == "Duplicate Parameter - a"
        enc = http.post("/API/R1?module=ENC&module=ENC", content=b"x", headers={"Secret-Key": emulator.secret_key})
        assert (enc.status_code, enc.json()["Details"]) == (400, "Duplicate Parameter - module")
        control = http.get(f"/_emulator/messages?phone={PHONE[1:]}&phone=918888888888")
        assert (control.status_code, control.json()) == (400, {"error": "Duplicate Parameter - phone"})
        assert http.get(f"/API/V1/{emulator.api_key}/SMS/{PHONE}/AUTOGEN?x=1&y=2").status_code == 200
        assert len(http.get("/_emulator/messages").json()["messages"]) == 1

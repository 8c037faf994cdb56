"""Tata Smart 2FA's limits (495 for an unknown name, 496 past a bucket, 497 for a taken name, 498
for an unknown limit), search and usage records, on a real socket with the emulator's clock."""

from __future__ import annotations

from datetime import UTC, datetime

from .conftest import PHONE, SUB_SID, Tata, error

PER_PHONE = {"name": "limit_on_phone", "buckets": [{"name": "short", "max": 2, "interval": 600}]}


def test_unknown_limit_name_is_495(tata: Tata) -> None:
    assert error(tata.send(limits={"limit_on_ip": "127.0.0.1"})) == (409, 495, "Invalid Limit Name: limit_on_ip")
    assert tata.control.get("/_emulator/messages", params={"provider": "tata"}).json()["messages"] == []


def test_limit_bucket_counts_sends_with_the_same_value(tata: Tata) -> None:
    created = tata.http.post("/2fa/limits", json=PER_PHONE)
    assert created.status_code == 200, created.text
    limit = created.json()["limit"]
    assert limit["name"] == "limit_on_phone" and limit["limitSid"].startswith("LM")
    for n in range(2):
        tata.advance(60)
        assert tata.send(limits={"limit_on_phone": PHONE}).status_code == 200, n
    tata.advance(60)
    assert error(tata.send(limits={"limit_on_phone": PHONE})) == (429, 496, "Limit exceeded: limit_on_phone")
    assert tata.send(to="+918888888888", limits={"limit_on_phone": "+918888888888"}).status_code == 200
    tata.advance(600)  # the window has passed
    assert tata.send(limits={"limit_on_phone": PHONE}).status_code == 200


def test_limit_crud(tata: Tata) -> None:
    limit = tata.http.post("/2fa/limits", json={**PER_PHONE, "description": "per phone"}).json()["limit"]
    assert error(tata.http.post("/2fa/limits", json=PER_PHONE)) == (409, 497, "Limit already exists: limit_on_phone")
    sid = limit["limitSid"]
    updated = tata.http.put(f"/2fa/limits/{sid}", json={"buckets": [{"name": "short", "max": 1, "interval": 60}]})
    assert updated.json()["limit"]["buckets"] == [{"name": "short", "max": 1, "interval": 60}]
    assert updated.json()["limit"]["description"] == "per phone"
    assert [x["limitSid"] for x in tata.http.get("/2fa/limits").json()["limits"]] == [sid]
    assert tata.http.delete(f"/2fa/limits/{sid}").json() == {"code": 200, "message": "OK"}
    assert error(tata.http.delete(f"/2fa/limits/{sid}")) == (404, 498, f"Limit not found: {sid}")
    assert error(tata.http.put("/2fa/limits/nope", json={"description": "x"}))[1] == 498
    assert tata.send(limits={"limit_on_phone": PHONE}).json()["code"] == 495  # deleted: unknown again


def test_limit_of_a_sub_account_applies_to_its_sends(tata: Tata) -> None:
    assert tata.http.post("/2fa/limits", json={**PER_PHONE, "accountSid": SUB_SID}).status_code == 200
    assert tata.send(limits={"limit_on_phone": PHONE}).json()["code"] == 495  # not the own account's limit
    assert tata.send(accountSid=SUB_SID, limits={"limit_on_phone": PHONE}).status_code == 200
    assert error(tata.send(to="+918888888888", accountSid="AC" + "2" * 32)) == (
        400,
        400,
        "Invalid parameter: accountSid",
    )


def test_search_filters_and_pages(tata: Tata) -> None:
    first = tata.sent()
    tata.advance(60)
    second = tata.sent(channel="call")
    tata.verify(tata.otp_of(second))
    third = tata.sent("+918888888888")
    listed = tata.http.get("/2fa/search", params={"pageSize": 2}).json()
    assert listed["total"] == 3 and [o["requestID"] for o in listed["otps"]] == [third, second]
    page1 = tata.http.get("/2fa/search", params={"pageSize": 2, "page": 1}).json()
    assert [o["requestID"] for o in page1["otps"]] == [first]
    by_status = tata.http.post("/2fa/search", json={"status": "verified"}).json()
    assert [o["requestID"] for o in by_status["otps"]] == [second]
    by_to = tata.http.post("/2fa/search", json={"to": PHONE, "channel": "sms"}).json()
    assert [o["requestID"] for o in by_to["otps"]] == [first]
    assert tata.http.post("/2fa/search", json={"status": "canceled"}).json()["total"] == 1  # the first, replaced
    later = tata.http.post("/2fa/search", json={"startTime": "9000-01-01T00:00:00Z"}).json()
    assert later["total"] == 0
    assert error(tata.http.get("/2fa/search", params={"pageSize": 0}))[2] == "Invalid parameter: pageSize"
    assert error(tata.http.post("/2fa/search", json={"startTime": "2026-02-30T00:00:00Z"}))[2] == (
        "Invalid parameter: startTime"
    )


def test_usage_records(tata: Tata) -> None:
    tata.sent()
    tata.advance(60)
    rid = tata.sent(channel="call")
    tata.verify(tata.otp_of(rid))
    today = datetime.fromisoformat(tata.control.get("/_emulator/clock").json()["now"].replace("Z", "+00:00"))
    day = today.astimezone(UTC).date().isoformat()
    records = {r["category"]: r for r in tata.http.get("/2fa/usage/records").json()["records"]}
    assert records["sms"]["count"] == 1 and records["sms"]["verified"] == 0
    assert records["call"] == {"category": "call", "startDate": day, "endDate": day, "count": 1, "verified": 1}
    assert records["email"]["count"] == 0
    one = tata.http.post("/2fa/usage/records", json={"category": "call", "startDate": day, "endDate": day}).json()
    assert [r["count"] for r in one["records"]] == [1]
    assert (
        error(tata.http.post("/2fa/usage/records", json={"startDate": "2026-12-02", "endDate": "2026-12-01"}))[2]
        == "Invalid parameter: startDate"
    )
    daily = tata.http.get("/2fa/usage/records/daily").json()["records"]
    assert [(r["category"], r["startDate"], r["count"]) for r in daily] == [("sms", day, 1), ("call", day, 1)]
    yearly = tata.http.get("/2fa/usage/records/yearly").json()["records"]
    assert yearly[0]["startDate"].endswith("-01-01") and yearly[0]["endDate"].endswith("-12-31")
    assert error(tata.http.get("/2fa/usage/records/weekly")) == (400, 400, "Invalid parameter: period")

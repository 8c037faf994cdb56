"""The OTP lifecycle through the V1 routes: the docs' flows and the emulator's safe defaults."""

from __future__ import annotations

import re

import httpx
import pytest

from .conftest import API_KEY, OTHER_PHONE, PHONE, SANDBOX_API_KEY, SANDBOX_PHONE, latest_otp, v1

SESSION_ID = re.compile(r"^[a-z0-9]{19}-[0-9a-f]{16}$")  # the docs' 160gaseavbemjvlgw7o-7303503698702e11


async def send(client: httpx.AsyncClient, route: str, phone: str = PHONE) -> dict[str, str]:
    response = await client.get(v1(f"SMS/{phone}/{route}"))
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    assert body["Status"] == "Success"
    return body


async def verify(client: httpx.AsyncClient, session_id: str, code: str, api_key: str = API_KEY) -> httpx.Response:
    return await client.get(v1(f"SMS/VERIFY/{session_id}/{code}", api_key))


async def test_production_send_read_verify(client: httpx.AsyncClient) -> None:
    sent = await send(client, "AUTOGEN")
    assert SESSION_ID.match(sent["Details"])
    assert "OTP" not in sent
    otp = await latest_otp(client, PHONE)
    assert re.fullmatch(r"[0-9]{6}", otp)
    reply = await verify(client, sent["Details"], otp)
    assert (reply.status_code, reply.json()) == (200, {"Status": "Success", "Details": "OTP Matched"})


async def test_outbox_message_is_the_rendered_sms(client: httpx.AsyncClient) -> None:
    await send(client, "AUTOGEN")
    message = (await client.get("/_emulator/messages/latest", params={"phone": PHONE})).json()
    otp = await latest_otp(client, PHONE)
    assert message["to"] == PHONE
    assert message["text"] == f"Your OTP is {otp}"
    assert message["status"] == "DELIVERED"
    assert message["operation"] == "sendOtpAutogen"


async def test_wrong_code_is_mismatch_with_http_400(client: httpx.AsyncClient) -> None:
    sent = await send(client, "AUTOGEN")
    otp = await latest_otp(client, PHONE)
    wrong = "000000" if otp != "000000" else "111111"
    reply = await verify(client, sent["Details"], wrong)
    assert (reply.status_code, reply.json()) == (400, {"Status": "Error", "Details": "OTP Mismatch"})


async def test_expired_after_the_clock_advances(client: httpx.AsyncClient) -> None:
    sent = await send(client, "AUTOGEN")
    otp = await latest_otp(client, PHONE)
    advanced = await client.post("/_emulator/clock/advance", json={"seconds": 601})
    assert advanced.status_code == 200
    reply = await verify(client, sent["Details"], otp)
    assert (reply.status_code, reply.json()) == (400, {"Status": "Error", "Details": "OTP Expired"})


async def test_still_valid_just_before_expiry(client: httpx.AsyncClient) -> None:
    sent = await send(client, "AUTOGEN")
    otp = await latest_otp(client, PHONE)
    await client.post("/_emulator/clock/advance", json={"seconds": 590})
    reply = await verify(client, sent["Details"], otp)
    assert reply.json()["Details"] == "OTP Matched"


async def test_five_wrong_attempts_lock_the_session(client: httpx.AsyncClient) -> None:
    sent = await send(client, "AUTOGEN")
    otp = await latest_otp(client, PHONE)
    wrong = "000000" if otp != "000000" else "111111"
    for _ in range(5):
        assert (await verify(client, sent["Details"], wrong)).json()["Details"] == "OTP Mismatch"
    reply = await verify(client, sent["Details"], otp)
    assert (reply.status_code, reply.json()) == (400, {"Status": "Error", "Details": "OTP Attempts Exceeded"})


async def test_four_wrong_attempts_still_allow_the_right_code(client: httpx.AsyncClient) -> None:
    sent = await send(client, "AUTOGEN")
    otp = await latest_otp(client, PHONE)
    wrong = "000000" if otp != "000000" else "111111"
    for _ in range(4):
        await verify(client, sent["Details"], wrong)
    assert (await verify(client, sent["Details"], otp)).json()["Details"] == "OTP Matched"


async def test_a_matched_otp_cannot_match_again(client: httpx.AsyncClient) -> None:
    sent = await send(client, "AUTOGEN")
    otp = await latest_otp(client, PHONE)
    assert (await verify(client, sent["Details"], otp)).json()["Details"] == "OTP Matched"
    again = await verify(client, sent["Details"], otp)
    assert (again.status_code, again.json()) == (400, {"Status": "Error", "Details": "OTP Already Verified"})


async def test_unknown_session_is_no_entry(client: httpx.AsyncClient) -> None:
    reply = await verify(client, "160gaseavbemjvlgw7o-7303503698702e11", "123456")
    assert (reply.status_code, reply.json()) == (
        400,
        {"Status": "Error", "Details": "Invalid API / SessionId Combination - No Entry Exists"},
    )


async def test_autogen3_sends_four_digits_and_autogen2_returns_the_otp(client: httpx.AsyncClient) -> None:
    await send(client, "AUTOGEN3")
    assert re.fullmatch(r"[0-9]{4}", await latest_otp(client, PHONE))
    sent = await send(client, "AUTOGEN2")
    assert sent["OTP"] == await latest_otp(client, PHONE)
    assert re.fullmatch(r"[0-9]{6}", sent["OTP"])
    assert (await verify(client, sent["Details"], sent["OTP"])).json()["Details"] == "OTP Matched"


@pytest.mark.parametrize("value", ["1234", "12345", "012345"])
async def test_a_callers_otp_is_sent_as_given(client: httpx.AsyncClient, value: str) -> None:
    sent = await send(client, value)
    assert await latest_otp(client, PHONE) == value
    assert (await verify(client, sent["Details"], value)).json()["Details"] == "OTP Matched"


async def test_custom_otp_with_template_and_template_only_sends(client: httpx.AsyncClient) -> None:
    await send(client, "4321/OTP1")
    assert await latest_otp(client, PHONE) == "4321"
    await send(client, "OTP1")  # a template name: a 6-digit OTP generated by the emulator
    assert re.fullmatch(r"[0-9]{6}", await latest_otp(client, PHONE))


@pytest.mark.parametrize("value", ["123", "1234567"])
async def test_custom_otp_of_wrong_length_is_refused(client: httpx.AsyncClient, value: str) -> None:
    reply = await client.get(v1(f"SMS/{PHONE}/{value}"))
    assert (reply.status_code, reply.json()) == (
        400,
        {"Status": "Error", "Details": "Invalid OTP Value - Expected 4 to 6 digits"},
    )


@pytest.mark.parametrize("spelling", ["+919999999999", "%2B919999999999", "9999999999", "919999999999"])
async def test_phone_spellings_reach_the_same_number(client: httpx.AsyncClient, spelling: str) -> None:
    await send(client, "AUTOGEN", phone=spelling)
    messages = (await client.get("/_emulator/messages", params={"phone": PHONE})).json()["messages"]
    assert [m["to"] for m in messages] == [PHONE]


async def test_post_is_served_like_get_on_v1(client: httpx.AsyncClient) -> None:
    reply = await client.post(v1(f"SMS/{PHONE}/AUTOGEN2"))
    assert reply.status_code == 200
    sent = reply.json()
    verdict = await client.post(v1(f"SMS/VERIFY/{sent['Details']}/{sent['OTP']}"))
    assert verdict.json() == {"Status": "Success", "Details": "OTP Matched"}


async def test_verify_by_phone_checks_the_newest_otp(client: httpx.AsyncClient) -> None:
    await send(client, "111111")
    await send(client, "222222")
    old = await client.get(v1(f"SMS/VERIFY3/{PHONE}/111111"))
    assert old.json()["Details"] == "OTP Mismatch"
    new = await client.get(v1(f"SMS/VERIFY3/{PHONE}/222222"))
    assert (new.status_code, new.json()["Details"]) == (200, "OTP Matched")
    again = await client.get(v1(f"SMS/VERIFY3/{PHONE}/222222"))
    assert again.json()["Details"] == "Invalid API / Phone Number Combination - No Entry Exists"


async def test_verify_by_phone_expired_and_unknown(client: httpx.AsyncClient) -> None:
    none = await client.get(v1(f"SMS/VERIFY3/{OTHER_PHONE}/123456"))
    assert (none.status_code, none.json()["Details"]) == (
        400,
        "Invalid API / Phone Number Combination - No Entry Exists",
    )
    await send(client, "123456")
    await client.post("/_emulator/clock/advance", json={"seconds": 601})
    expired = await client.get(v1(f"SMS/VERIFY3/{PHONE}/123456"))
    assert expired.json()["Details"] == "OTP Expired"


async def test_resend_keeps_older_sessions_verifiable_by_id(client: httpx.AsyncClient) -> None:
    first = await send(client, "111111")
    await send(client, "222222")
    assert (await verify(client, first["Details"], "111111")).json()["Details"] == "OTP Matched"


async def test_voice_otp_round_trip(client: httpx.AsyncClient) -> None:
    sent = (await client.get(v1(f"VOICE/{PHONE}/AUTOGEN"))).json()
    otp = await latest_otp(client, PHONE)
    message = (await client.get("/_emulator/messages/latest", params={"phone": PHONE})).json()
    assert message["kind"] == "voice"
    # A voice session is not an SMS session.
    assert (await verify(client, sent["Details"], otp)).json()["Details"].startswith("Invalid API / SessionId")
    reply = await client.get(v1(f"VOICE/VERIFY/{sent['Details']}/{otp}"))
    assert reply.json() == {"Status": "Success", "Details": "OTP Matched"}


async def test_balance_counts_down_per_message(client: httpx.AsyncClient) -> None:
    before = (await client.get(v1("BAL/SMS"))).json()
    assert before == {"Status": "Success", "Details": "250"}
    await send(client, "AUTOGEN")
    for route in ("BAL/SMS", "ADDON_SERVICES/BAL/TRANSACTIONAL_SMS", "ADDON_SERVICES/BAL/PROMOTIONAL_SMS"):
        assert (await client.get(v1(route))).json()["Details"] == "249"


async def test_unknown_api_key(client: httpx.AsyncClient) -> None:
    reply = await client.get(v1(f"SMS/{PHONE}/AUTOGEN", "XXXX-XXXX-XXXX-XXXX-XXXX"))
    assert (reply.status_code, reply.json()) == (400, {"Status": "Error", "Details": "Invalid API Key"})


# ---------------------------------------------------------------------------- the docs' sandbox section
async def test_sandbox_flow_from_the_docs_word_for_word(client: httpx.AsyncClient) -> None:
    # Step 1: curl ".../SMS/+919920123456/AUTOGEND/T"
    step1 = await client.get(v1(f"SMS/{SANDBOX_PHONE}/AUTOGEND/T"))
    assert step1.status_code == 200
    body = step1.json()
    assert body["Status"] == "Success" and SESSION_ID.match(body["Details"]) and re.fullmatch(r"[0-9]{6}", body["OTP"])
    # Step 2: verify the returned session and OTP: "OTP Mismatch", HTTP 200.
    step2 = await verify(client, body["Details"], body["OTP"])
    assert (step2.status_code, step2.json()) == (200, {"Status": "Error", "Details": "OTP Mismatch"})
    # Step 3: VERIFY/Dummy-12345/12345 matches.
    step3 = await verify(client, "Dummy-12345", "12345")
    assert (step3.status_code, step3.json()) == (200, {"Status": "Success", "Details": "OTP Matched"})
    # "No actual SMS sent".
    assert (await client.get("/_emulator/messages", params={"phone": SANDBOX_PHONE})).json()["messages"] == []


async def test_sandbox_autogend_and_autogend2_reply_shapes(client: httpx.AsyncClient) -> None:
    plain = (await client.get(v1(f"SMS/{SANDBOX_PHONE}/AUTOGEND"))).json()
    assert set(plain) == {"Status", "Details"} and plain["Status"] == "Success"
    with_otp = (await client.get(v1(f"SMS/{SANDBOX_PHONE}/AUTOGEND2"))).json()
    assert set(with_otp) == {"Status", "Details", "OTP"}
    custom = (await client.get(v1(f"SMS/{SANDBOX_PHONE}/MyTemplate"))).json()
    assert custom["Status"] == "Success" and SESSION_ID.match(custom["Details"])


async def test_sandbox_verify2_always_mismatches(client: httpx.AsyncClient) -> None:
    for session_id, code in (("Dummy-12345", "12345"), ("anything", "123456")):
        reply = await client.get(v1(f"SMS/VERIFY2/{session_id}/{code}", SANDBOX_API_KEY))
        assert (reply.status_code, reply.json()) == (200, {"Status": "Error", "Details": "OTP Mismatch"})


async def test_whole_sandbox_account_answers_200_and_mismatch(client: httpx.AsyncClient) -> None:
    sent = (await client.get(v1(f"SMS/{PHONE}/AUTOGEN2", SANDBOX_API_KEY))).json()
    reply = await verify(client, sent["Details"], sent["OTP"], SANDBOX_API_KEY)
    assert (reply.status_code, reply.json()["Details"]) == (200, "OTP Mismatch")
    bad_phone = await client.get(v1("SMS/12345/AUTOGEN", SANDBOX_API_KEY))
    assert (bad_phone.status_code, bad_phone.json()["Status"]) == (200, "Error")
    assert (await verify(client, "Dummy-12345", "12345", SANDBOX_API_KEY)).json()["Details"] == "OTP Matched"


async def test_sandbox_routes_need_sandbox_mode(client: httpx.AsyncClient) -> None:
    reply = await client.get(v1(f"SMS/{PHONE}/AUTOGEND"))
    assert (reply.status_code, reply.json()) == (
        400,
        {"Status": "Error", "Details": "Sandbox Mode Is Not Enabled For This Account / Phone Number"},
    )

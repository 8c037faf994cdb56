"""The ticket's text form: round trip, no code inside, and every kind of tampering refused."""

from __future__ import annotations

import base64
import json

import pytest
from otp_gateway import Delivery, InvalidTicket, OtpTicket
from otp_gateway.errors import InvalidInput
from otp_gateway.ticket import MAX_TOKEN_CHARS, TicketSigner

SECRET = b"ticket-tests-secret-0123456789"
OTHER = b"another-apps-secret-0123456789"


def _ticket(**changes: object) -> OtpTicket:
    fields: dict[str, object] = {
        "id": "AAAAAAAAAAAAAAAAAAAAAA",
        "phone": "+919812345670",
        "issued_at": 1_700_000_000.0,
        "expires_at": 1_700_000_300.0,
        "deliveries": (Delivery("2factor", None, False, 1_700_000_000.0, True), Delivery("dtl", "ref1", True, 1.0)),
    }
    fields.update(changes)
    return OtpTicket(**fields)  # type: ignore[arg-type]


def _forge(signer_secret: bytes, payload: object) -> str:
    """A token whose payload is anything, correctly signed: the parser must still refuse bad shapes."""
    import hashlib
    import hmac

    from otp_gateway.ticket import derive_key

    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    signed = f"otp1.{body}"
    mac = hmac.new(derive_key(signer_secret, "ticket"), signed.encode(), hashlib.sha256).digest()
    return f"{signed}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_round_trip_keeps_every_field() -> None:
    signer = TicketSigner([SECRET])
    ticket = signer.sign(_ticket())
    loaded = signer.load(ticket.token)
    assert loaded == ticket and str(loaded) == ticket.token
    assert loaded.live == Delivery("dtl", "ref1", True, 1.0) and loaded.provider == "dtl"


def test_token_holds_no_code_and_only_the_documented_fields() -> None:
    token = TicketSigner([SECRET]).sign(_ticket()).token
    body = token.split(".")[1]
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert set(payload) == {"i", "p", "t", "e", "d"}
    assert all(len(item) == 5 for item in payload["d"])  # provider, ref, local, sent_at, ambiguous


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: t.replace("otp1.", "otp2.", 1),  # version
        lambda t: t.split(".")[0] + "." + t.split(".")[1][:-4] + "AAAA." + t.split(".")[2],  # payload changed
        lambda t: t + ".x",  # extra part
        lambda t: t.rsplit(".", 1)[0],  # no signature
        lambda t: "",
        lambda t: "otp1..",
        lambda t: t.replace("o", "ο", 1),  # a Greek omicron: not ASCII
        lambda t: t + "A" * MAX_TOKEN_CHARS,  # too long to even decode
    ],
)
def test_tampered_tokens_are_refused(tamper: object) -> None:
    signer = TicketSigner([SECRET])
    token = signer.sign(_ticket()).token
    with pytest.raises(InvalidTicket):
        signer.load(tamper(token))  # type: ignore[operator]


def test_the_phone_cannot_be_swapped() -> None:
    signer = TicketSigner([SECRET])
    token = signer.sign(_ticket()).token
    other = signer.sign(_ticket(phone="+919000000009")).token
    spliced = ".".join([*other.split(".")[:2], token.split(".")[2]])
    with pytest.raises(InvalidTicket, match="signature"):
        signer.load(spliced)


def test_another_apps_secret_is_refused_and_rotation_is_accepted() -> None:
    old = TicketSigner([OTHER]).sign(_ticket()).token
    with pytest.raises(InvalidTicket, match="signature"):
        TicketSigner([SECRET]).load(old)
    rotated = TicketSigner([SECRET, OTHER])
    loaded = rotated.load(old)
    assert loaded.key_index == 1
    assert rotated.sign(loaded).key_index == 0


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"i": "x", "p": "+919812345670", "t": 1, "e": 2},  # no deliveries
        {"i": "x", "p": "+919812345670", "t": 1, "e": 2, "d": []},
        {"i": "x", "p": "+919812345670", "t": 1, "e": 2, "d": [["a", None, 2, 1, 0]]},  # local flag 2
        {"i": "x", "p": "+919812345670", "t": 1, "e": 2, "d": [["a", None, True, 1, 0]]},  # a bool, not 0/1
        {"i": "x", "p": "+919812345670", "t": "1", "e": 2, "d": [["a", None, 0, 1, 0]]},  # a string time
        {"i": "x", "p": "+919812345670", "t": 1, "e": 2, "d": [["a", None, 0, 1, 0]] * 9},  # too many
        {"i": "", "p": "+919812345670", "t": 1, "e": 2, "d": [["a", None, 0, 1, 0]]},  # empty id
        {"i": "x", "p": "+919812345670", "t": 1, "e": 2, "d": [["a", None, 0, 1, 0]], "code": "123456"},
    ],
)
def test_a_signed_payload_of_the_wrong_shape_is_still_refused(payload: object) -> None:
    with pytest.raises(InvalidTicket, match="malformed"):
        TicketSigner([SECRET]).load(_forge(SECRET, payload))


def test_short_secrets_are_refused() -> None:
    with pytest.raises(InvalidInput):
        TicketSigner([b"short"])
    with pytest.raises(InvalidInput):
        TicketSigner([])


def test_repr_masks_the_phone_and_hides_the_token() -> None:
    ticket = TicketSigner([SECRET]).sign(_ticket())
    shown = repr(ticket)
    assert "9812345670" not in shown and ticket.token not in shown and "+91********70" in shown

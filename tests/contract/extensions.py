"""Schemathesis extensions for the 2Factor contract run.

`schemathesis.toml` loads this module (`hooks = "tests.contract.extensions"`) for every run, from the
command line (`st run ...` in the repository root) and from Python (`schemathesis.openapi.from_path`
discovers the same file), so the CLI run and the pytest run check the same rules.

What it adds, and why:

* **The encrypted route** (`sendEncrypted`, `x-envelope` in the document). On the wire its body is
  base64 of AES-sealed JSON, so a generator working from the wire schema only ever reaches
  "Decryption failed". `before_load_schema` substitutes, in memory, the operation's
  `x-envelope.plaintextSchema` for the `text/plain` body schema and `x-envelope.replySchema` for the
  `text/plain` 200 reply schema. The `text/plain` serializer then seals each generated plaintext with
  the case's `Secret-Key` (the account's key when the dictionary in schemathesis.toml put it there)
  and the case's `encmode`, and the `text/plain` deserializer opens sealed replies, so the built-in
  `response_schema_conformance` validates the opened reply against `EncReply`.
* **2Factor's error envelope.** `Status: Error` travels with HTTP 400 in production and HTTP 200 in the
  sandbox, so the built-in `negative_data_rejection` (which reads only the HTTP status) is meaningless
  on the sandbox routes. `twofactor_negative_data_rejection` asks the real question on every route:
  it maps the reply to the status production would use (`Status: Error` / `success: false` -> 400,
  `Status: Success` / `success: true` / a sealed ENC reply -> 200) and runs the built-in
  negative-data logic on that, so a schema-violating request that gets `Status: Success` fails.
* `twofactor_valid_request_not_server_error`: a schema-valid request never gets a 5xx.
* `twofactor_sealed_reply_opens`: every 200 reply of the encrypted route opens with the request's key
  and mode and is an `EncReply`.
* `twofactor_linked_verify_matches`: in the stateful phase, a VERIFY/VERIFY3 fed by an AUTOGEN2 link
  with the OTP that AUTOGEN2 returned must not answer "OTP Mismatch" or "No Entry Exists".

The account key and secret key the dictionaries in schemathesis.toml inject are the defaults of
`CONTRACT_API_KEY` and `CONTRACT_SECRET_KEY`; the environment variables `TWOFACTOR_CONTRACT_API_KEY` and
`TWOFACTOR_CONTRACT_SECRET_KEY` override what this module uses to seal bodies that carry no usable key.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import MutableMapping
from typing import Any

import jsonschema
import schemathesis
from schemathesis.core.failures import Failure
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import negative_data_rejection
from twofactor.envelope import EnvelopeError, open_json, seal

from .document import resolve_ref

# The contract account's keys as schemathesis.toml's dictionaries write them (keep them equal).
TOML_API_KEY = "c0ffee00-2fac-4e11-9a7e-contract0001"
TOML_SECRET_KEY = "contract-secret-0123456789abcdef"
# The account the run talks to: another deployment's keys come from the environment.
CONTRACT_API_KEY = os.environ.get("TWOFACTOR_CONTRACT_API_KEY", TOML_API_KEY)
CONTRACT_SECRET_KEY = os.environ.get("TWOFACTOR_CONTRACT_SECRET_KEY", TOML_SECRET_KEY)
assert len(CONTRACT_SECRET_KEY.encode()) == 32, "the secret key must be 32 bytes of UTF-8"

SUBSTITUTED = "x-contract-plaintext-substituted"
ENC_MODES = ("GCM", "CBC")
ENC_DEFAULT_MODE = "CBC"  # the document's default for `encmode`


# ------------------------------------------------------------------------------------------ helpers
def envelope_of(case: Any) -> dict[str, Any] | None:
    """The `x-envelope` of the case's operation, or None for every other operation."""
    raw = getattr(getattr(case.operation, "definition", None), "raw", None)
    if isinstance(raw, dict):
        envelope = raw.get("x-envelope")
        if isinstance(envelope, dict):
            return envelope
    return None


def _header(case: Any, name: str) -> Any:
    for key, value in (case.headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def sealing_key(case: Any) -> str:
    """The key a client would seal this case's body with: its `Secret-Key` when that is a usable key."""
    value = _header(case, "Secret-Key")
    if isinstance(value, str) and len(value.encode("utf-8")) == 32:
        return value
    return CONTRACT_SECRET_KEY


def sealing_mode(case: Any) -> str:
    value = (case.query or {}).get("encmode", ENC_DEFAULT_MODE)
    if isinstance(value, str) and value.upper() in ENC_MODES:
        return value.upper()
    # A negative case with a bogus mode: seal with GCM anyway, the server must refuse the mode.
    return "GCM"


def reply_json(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def production_status(response: Any, case: Any) -> int:
    """The HTTP status production 2Factor would send for this reply (errors are 400 there, 200 in the sandbox)."""
    body = reply_json(response)
    if isinstance(body, dict):
        if body.get("Status") == "Error" or body.get("success") is False:
            return 400 if response.status_code < 500 else response.status_code
        if body.get("Status") == "Success" or body.get("success") is True:
            return 200 if response.status_code < 500 else response.status_code
    return int(response.status_code)


# ------------------------------------------------------------------------ the encrypted route
@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    """Generate plaintexts for operations with `x-envelope`; the serializer seals them (idempotent).

    Also notes the document's placeholder keys (see `account_key_for_placeholders`).
    """
    PLACEHOLDER_KEYS.update(placeholder_keys(raw_schema))
    for item in (raw_schema.get("paths") or {}).values():
        if not isinstance(item, dict):
            continue
        for operation in item.values():
            if not isinstance(operation, dict) or "x-envelope" not in operation or operation.get(SUBSTITUTED):
                continue
            substitute_plaintext_schemas(raw_schema, operation)


def substitute_plaintext_schemas(document: dict[str, Any], operation: dict[str, Any]) -> None:
    envelope = operation["x-envelope"]
    body = resolve_ref(document, operation.get("requestBody", {}))
    content = body.get("content") or {}
    # The form content type carries the same base64 text as `text/plain` (it is what the docs' cURL
    # sends); fuzzing goes through `text/plain` only, whose serializer seals. The form variant is sent
    # by the examples replay (test_examples_replay.py) and tests/emulator.
    for media_type in [m for m in content if not m.startswith("text/plain")]:
        del content[media_type]
    for media in content.values():
        media["schema"] = copy.deepcopy(envelope["plaintextSchema"])
        # The document's example is an opaque base64 string sealed with no real key; the plaintext
        # schema's own examples stand in for it.
        media.pop("example", None)
        media.pop("examples", None)
    reply = resolve_ref(document, (operation.get("responses") or {}).get("200", {}))
    for media_type, media in (reply.get("content") or {}).items():
        if media_type.startswith("text/plain"):
            media["schema"] = copy.deepcopy(envelope["replySchema"])
            media.pop("example", None)
            media.pop("examples", None)
    operation[SUBSTITUTED] = True


@schemathesis.serializer("text/plain")
def seal_plaintext(ctx: Any, value: Any) -> bytes | None:
    """Seal generated plaintexts of the encrypted route; other text/plain bodies go as text."""
    if envelope_of(ctx.case) is None:
        if value is None:
            return None
        return value if isinstance(value, bytes) else str(value).encode("utf-8")
    if isinstance(value, bytes):  # set by hand: already the wire form
        return value
    plaintext = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    # Negative cases may generate any JSON value (not only an object); it is sealed the same way.
    return seal(plaintext, sealing_key(ctx.case), sealing_mode(ctx.case)).encode("ascii")


@schemathesis.deserializer("text/plain")
def open_sealed_reply(ctx: Any, response: Any) -> Any:
    """Open a sealed 200 reply of the encrypted route, so schema conformance sees the plaintext."""
    case = ctx.case
    if case is not None and envelope_of(case) is not None and response.status_code == 200:
        try:
            return open_json(response.content, sealing_key(case), sealing_mode(case))
        except EnvelopeError:
            # Leave it as text: `EncReply` (an object) then fails schema conformance, and
            # `twofactor_sealed_reply_opens` says why.
            return response.content.decode("utf-8", "replace")
    return response.content.decode(response.encoding or "utf-8", "replace")


# ------------------------------------------------------------------------------------- checks
@schemathesis.check
def twofactor_negative_data_rejection(ctx: Any, response: Any, case: Any) -> bool | None:
    """A schema-violating request never gets `Status: Success` (nor `success: true`, nor a sealed reply).

    Replaces the built-in `negative_data_rejection` where 2Factor answers errors with HTTP 200 (the
    sandbox): the built-in logic runs on the reply mapped to production's status codes.
    """
    if case.meta is None or not case.meta.generation.mode.is_negative:
        return None
    translated = copy.copy(response)
    translated.status_code = production_status(response, case)
    try:
        negative_data_rejection(ctx, translated, case)
    except Failure as failure:
        body = reply_json(response)
        shown = json.dumps(body)[:300] if body is not None else repr(response.content[:120])
        raise AssertionError(
            "A schema-violating request was accepted: the reply says success.\n"
            f"Reply: {shown}\n{failure.message if hasattr(failure, 'message') else failure}"
        ) from None
    return None


@schemathesis.check
def twofactor_valid_request_not_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """A schema-valid request never gets a 5xx: 2Factor answers every problem with its error envelope."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code >= 500:
        raise AssertionError(f"A schema-valid request got HTTP {response.status_code}")
    return None


_ENC_REPLY_VALIDATORS: dict[int, Any] = {}


def _enc_reply_validator(case: Any) -> Any:
    schema = case.operation.schema
    raw = schema.raw_schema
    key = id(raw)
    if key not in _ENC_REPLY_VALIDATORS:
        components = raw.get("components", {})
        reply_schema = {"$ref": "#/components/schemas/EncReply", "components": components}
        # Resolve `#/components/...` refs against a wrapper that carries the document's components.
        _ENC_REPLY_VALIDATORS[key] = jsonschema.Draft202012Validator(reply_schema)
    return _ENC_REPLY_VALIDATORS[key]


@schemathesis.check
def twofactor_sealed_reply_opens(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 200 reply of the encrypted route opens with the request's key and mode and is an `EncReply`."""
    if envelope_of(case) is None or response.status_code != 200:
        return None
    try:
        opened = open_json(response.content, sealing_key(case), sealing_mode(case))
    except EnvelopeError:
        raise AssertionError(
            f"The 200 reply of the encrypted route does not open with the request's key and mode "
            f"({sealing_mode(case)}): {response.content[:120]!r}"
        ) from None
    errors = sorted(_enc_reply_validator(case).iter_errors(opened), key=str)
    if errors:
        raise AssertionError(f"The opened reply is not an EncReply: {errors[0].message}; reply: {opened!r}")
    return None


def presented_keys(case: Any) -> list[str]:
    """The credentials a request carries: the API key (path, query, form or JSON body, sealed
    plaintext) and, on the encrypted route, the secret key."""
    found = [
        container.get(name)
        for container, name in (
            (case.path_parameters, "api_key"),
            (case.query, "apikey"),
            (case.body, "apikey"),
        )
        if isinstance(container, dict)
    ]
    if envelope_of(case) is not None:
        found.append(_header(case, "Secret-Key"))
    return [key for key in found if isinstance(key, str)]


@schemathesis.check
def twofactor_foreign_key_refused(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request that carries any key other than the account's never gets a success.

    Stands in for the built-in `ignored_auth`, which only knows keys declared as `securitySchemes`:
    2Factor's key is a path segment or a form field, so that check has nothing to look at here.
    """
    foreign = [key for key in presented_keys(case) if key not in (CONTRACT_API_KEY, CONTRACT_SECRET_KEY)]
    if foreign and response.status_code < 500 and production_status(response, case) == 200:
        body = reply_json(response)
        shown = json.dumps(body)[:200] if body is not None else f"{len(response.content)} bytes, not JSON"
        raise AssertionError(f"A request with a key the account does not have got a success: {shown}")
    return None


VERIFY_BY_SESSION = "verifyOtp"
# A verify fed the right OTP may still be refused for these reasons (a second verify of a used
# session, or a state machine that reached the lock-out or the expiry first).
LEGITIMATE_REFUSALS = {"OTP Already Verified", "OTP Attempts Exceeded", "OTP Expired"}


def _operation_id(case: Any) -> str | None:
    raw = getattr(getattr(case.operation, "definition", None), "raw", None)
    return raw.get("operationId") if isinstance(raw, dict) else None


@schemathesis.check
def twofactor_linked_verify_matches(ctx: Any, response: Any, case: Any) -> bool | None:
    """A VERIFY fed by an AUTOGEN2 link with the returned session id and OTP does not answer a mismatch.

    Stateful phase only: the parent (an AUTOGEN2 send) comes from the scenario recorder, which
    schemathesis documents as internal (`ctx.internals`); schemathesis is pinned.
    """
    if case.meta is None or case.meta.phase.name != TestPhase.STATEFUL:
        return None
    operation_id = _operation_id(case)
    # VERIFY3 (by phone) is left out: a later send to the same number legitimately supersedes the OTP.
    if operation_id != VERIFY_BY_SESSION:
        return None
    parent = ctx.internals.find_parent(case_id=case.id)
    if parent is None or not (_operation_id(parent) or "").startswith("sendOtpAutogen2"):
        return None
    parent_response = ctx.internals.find_response(case_id=parent.id)
    sent = reply_json(parent_response) if parent_response is not None else None
    if not (isinstance(sent, dict) and sent.get("Status") == "Success" and "OTP" in sent):
        return None
    params, parent_params = case.path_parameters or {}, parent.path_parameters or {}
    same_request = params.get("otp_entered_by_user") == sent["OTP"] and params.get("api_key") == parent_params.get(
        "api_key"
    )
    same_request = same_request and params.get("otp_session_id") == sent.get("Details")
    if not same_request:
        return None
    verdict = reply_json(response)
    if not isinstance(verdict, dict):
        return None  # response_schema_conformance reports a reply that is not JSON
    if verdict.get("Status") == "Success" or verdict.get("Details") in LEGITIMATE_REFUSALS:
        return None
    raise AssertionError(
        f"{operation_id} was given the OTP that {_operation_id(parent)} returned ({sent['OTP']}) "
        f"and answered {verdict!r}, expected 'OTP Matched'"
    )


# Off unless a test turns it on: the planted-bug test for expiry advances the emulator's clock past
# the OTP lifetime after every send, and then no verify may match.
EVERY_OTP_EXPIRED = False
SANDBOX_SESSION = "Dummy-12345"  # the sandbox's fixed session, which always matches 12345


@schemathesis.check
def twofactor_expired_otp_never_matches(ctx: Any, response: Any, case: Any) -> bool | None:
    """While every OTP has outlived its lifetime (see `EVERY_OTP_EXPIRED`), no verify answers success."""
    if not EVERY_OTP_EXPIRED or "/VERIFY" not in case.operation.path:
        return None
    if (case.path_parameters or {}).get("otp_session_id") == SANDBOX_SESSION:
        return None
    verdict = reply_json(response)
    if isinstance(verdict, dict) and verdict.get("Status") == "Success":
        raise AssertionError(f"A verify after the OTP's lifetime succeeded: {verdict!r}")
    return None


# ------------------------------------------------------------------------ the control API
LONG_POLL = "waitForMessage"
LONG_POLL_SECONDS = 0.2


@schemathesis.hook("before_call")
def bound_long_poll(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Bound the control API's long poll to a fraction of a second.

    `waitForMessage` holds the connection up to `timeout` seconds (default 10, at most 60) while no
    message arrives, which is what a fuzzer's requests mostly look like: a run would spend minutes
    waiting, and hit the 10 s request timeout. A valid `timeout` (a number in 0..60, or none) is
    lowered to 0.2 s, which is still valid, so the case stays positive; invalid values (negative,
    over 60, not a number) are sent as generated and must still be refused. The waiting itself is
    tested in tests/emulator.
    """
    if _operation_id(case) != LONG_POLL:
        return
    query = case.query if case.query is not None else {}
    value = query.get("timeout")
    if value is None:
        case.query = {**query, "timeout": LONG_POLL_SECONDS}
    elif _is_number(value) and 0 <= float(value) <= 60:
        case.query = {**query, "timeout": min(float(value), LONG_POLL_SECONDS)}


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return str(value).strip().lower() not in {"nan", "inf", "-inf", "+inf", "infinity", "-infinity"}


# ------------------------------------------------------------------- the docs' placeholder keys
# Parameter and property names that carry the account's credentials.
KEY_NAMES = {"api_key", "apikey", "Secret-Key"}
PLACEHOLDER_KEYS: set[str] = set()
# The phases that fill the keys from the document's examples instead of the dictionaries.
EXAMPLE_FILLED_PHASES = {TestPhase.EXAMPLES, TestPhase.COVERAGE}


def placeholder_keys(document: Any) -> set[str]:
    """Every example value the document gives a key: parameter examples, `apikey` in body examples."""
    found: set[str] = set()
    if isinstance(document, dict):
        name = document.get("name")  # a property called `name` holds a schema, not a parameter name
        if isinstance(name, str) and name in KEY_NAMES and isinstance(document.get("example"), str):
            found.add(document["example"])
        if document.get("title") == "ApiKeyValue":
            found.update(value for value in document.get("examples", []) if isinstance(value, str))
        if isinstance(document.get("apikey"), str):
            found.add(document["apikey"])
        for value in document.values():
            found |= placeholder_keys(value)
    elif isinstance(document, list):
        for value in document:
            found |= placeholder_keys(value)
    return found


def _is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value in PLACEHOLDER_KEYS


@schemathesis.hook("before_call")
def account_key_for_placeholders(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """In the examples and coverage phases, put the account's key where the docs' placeholder key is.

    Those phases do not use the dictionaries of schemathesis.toml: they fill every parameter they do
    not vary with the document's example, and the examples are placeholders (`XXXX-XXXX-...`) that
    no account has. Without this every request of the coverage phase would stop at "Invalid API Key"
    (or, on the encrypted route, "Decryption failed") and never test what the phase varies. A
    placeholder stands for "your key", so the account's key is as valid as it is and the case keeps
    its positive or negative mode. Foreign keys are still sent: generated ones in the fuzzing phase
    (a quarter of the requests), and the placeholders as written by tests/contract/test_examples_replay.py.
    """
    if case.meta is None or case.meta.phase.name not in EXAMPLE_FILLED_PHASES:
        return
    replacements = {"api_key": CONTRACT_API_KEY, "apikey": CONTRACT_API_KEY, "Secret-Key": CONTRACT_SECRET_KEY}
    for attribute in ("path_parameters", "query", "headers", "body"):
        container = getattr(case, attribute, None)
        if not isinstance(container, MutableMapping):  # headers are a case-insensitive mapping
            continue
        for name, replacement in replacements.items():
            if _is_placeholder(container.get(name)):
                container[name] = replacement
    # The swap is what schemathesis does itself for configured overrides and auth: part of the case's
    # starting state, not an edit of generated data. Re-validating it would misjudge the case: the
    # generated path values are percent-encoded (`%2B919999999999`) and fail their own patterns, which
    # turned positive cases negative. (A private method; schemathesis is pinned.)
    case._record_starting_state()

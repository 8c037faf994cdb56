"""Handlers of the R1 routes: transactional/promotional SMS (form and query), bulk, and encrypted.

One method per operationId of openapi/twofactor.yaml (named after it); operations.py binds them to paths.
Request bodies and queries are validated with the generated `twofactor_models`.
"""

from __future__ import annotations

import math
import re
import sys
import time
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core import heap, http
from ...core.batching import QUICK_ROWS
from ...core.clock import india_date, india_text, parse_india
from ...core.config import AccountConfig
from ...core.delivery import status_at
from ...core.phones import PhoneError, normalise_phone
from ...core.service import Service
from ...core.webhooks import is_webhook_url, own_port, targets_self
from . import errors, replies
from .accounts import authorised, check_sender, check_text
from .envelope import EnvelopeError, open_json, seal_json
from .shortlinks import LinkOptions, link_options, shorten

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError
    from twofactor_models import EncDlrPlaintext, R1SmsForm, SendSmsByQueryParametersQuery


def models() -> ModuleType:
    """The generated models (`twofactor_models`), imported on the first R1, bulk or encrypted request:
    with pydantic they are the largest part of the emulator's import time, and the OTP routes and the
    control API never need them (cold start, bench/README.md)."""
    if "twofactor_models" not in sys.modules:
        import twofactor_models  # noqa: F401 - the first use: imported here, then found in sys.modules

        heap.loaded()  # in memory for good from now on
    return sys.modules["twofactor_models"]


def _validation_error() -> type[ValidationError]:
    from pydantic import ValidationError

    return ValidationError


SCHEDULE_MIN_LEAD_SECONDS = 5 * 60  # docs: "at least 5 minutes greater than the current time"
BULK_CHUNK = 500  # messages per queue chunk in `queueStats` (the docs do not say; any size reads the same)
MAX_BULK_DETAILS = 20  # a reply lists at most this many validation problems


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _phones(raw: str) -> list[str | None]:
    try:
        return [normalise_phone(part) for part in raw.split(",")]
    except PhoneError:
        raise errors.Refused(errors.INVALID_PHONE) from None


M = TypeVar("M", bound="BaseModel")


# Where the generated models are looser than the document, checked before them: pydantic accepts an
# explicit null for every optional field (`X | None = None`), `AnyUrl` drops WebhookUrl's length and
# pattern, and lax date parsing takes numbers for `smsdate`. No field of the document is nullable.
_WEBHOOK_FIELDS = ("campaignwebhook", "shortenurlwebhook")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _looser_than_document(fields: dict[str, Any]) -> str | None:
    """The first field whose value the model would accept and the document does not, or None."""
    for name, value in fields.items():
        if value is None:
            return name
    for name in _WEBHOOK_FIELDS:
        url = fields.get(name)
        if isinstance(url, str) and not is_webhook_url(url):
            return name
    if "smsdate" in fields and not (isinstance(fields["smsdate"], str) and _DATE_RE.fullmatch(fields["smsdate"])):
        return "smsdate"
    return None


def _validated(model: type[M], data: dict[str, Any]) -> M:
    gap = _looser_than_document(data)
    if gap is not None:
        raise errors.Refused(errors.invalid_field(gap))
    try:
        return model.model_validate(data)
    except _validation_error() as exc:
        raise errors.Refused(replies.first_field_error(exc)[1]) from None


class SmsHandlers:
    """The R1, bulk and encrypted handlers (a part of `operations.Handlers`, built over one `Service`)."""

    service: Service

    async def _send_r1(
        self,
        account: AccountConfig,
        *,
        to: str,
        sender: str,
        text: str,
        operation: str,
        kind: str,
        scheduletime: str | None = None,
        links: LinkOptions | None = None,
    ) -> str:
        """Validate what the schema cannot, store one message per recipient, return the request id."""
        check_sender(account, sender)
        check_text(account, text)
        phones = _phones(to)
        scheduled_at = None
        if scheduletime is not None:
            try:
                scheduled_at = parse_india(scheduletime)
            except ValueError:
                raise errors.Refused(errors.invalid_field("scheduletime")) from None
            if scheduled_at < self.service.now() + SCHEDULE_MIN_LEAD_SECONDS:
                raise errors.Refused(errors.SCHEDULE_TOO_SOON)
        service = self.service

        def store() -> tuple[str, list[str | None]]:
            now = service.now()  # one time for the links and their messages (retention pairs them by it)
            return service.send_sms(
                account,
                phones,
                sender=sender,
                # shortlinks.py: one text per recipient with its own links, stored in this transaction
                texts=text if links is None else shorten(service.store, links, phones, text, sender, now),
                operation=operation,
                kind=kind,
                scheduled_at=scheduled_at,
                now=now,
            )

        request_id, _ = await service.batcher.run(store, quick=len(phones) <= QUICK_ROWS)
        return request_id

    async def _r1(self, request: Request, form: R1SmsForm | SendSmsByQueryParametersQuery, operation: str) -> Response:
        account = authorised(self.service, form.apikey, _client_ip(request))
        links = link_options(form, http.public_base_url(request))  # never the request's Host
        if links is not None:
            port = own_port(request.scope)
            for name, url in (("campaignwebhook", links.campaign_webhook), ("shortenurlwebhook", links.short_webhook)):
                if url is not None and await targets_self(url, port):
                    raise errors.Refused(errors.webhook_to_self(name))
        request_id = await self._send_r1(
            account,
            to=form.to,
            sender=form.from_,
            text=form.msg,
            operation=operation,
            kind="promotional" if form.module.value == "PROMO_SMS" else "transactional",
            scheduletime=form.scheduletime,
            links=links,
        )
        return replies.success(request_id)

    # ------------------------------------------------------------------ R1
    async def sendSms(self, request: Request) -> Response:
        """R1 form POST. `/API/R1/?module=ENC` is the encrypted route, as the docs' cURL sample sends it."""
        if request.scope["query_string"] and request.query_params.get("module") == "ENC":
            return await self.sendEncrypted(request)
        body = await http.read_body(request, replies.FORM_BODY_LIMIT, errors.Refused)
        form = _validated(models().R1SmsForm, replies.parse_form(body))
        return await self._r1(request, form, "sendSms")

    async def sendSmsByQuery(self, request: Request) -> Response:
        """R1 with every field in the query string."""
        if request.query_params.get("module") == "ENC":
            raise errors.Refused(errors.GET_NOT_SUPPORTED)
        query = _validated(models().SendSmsByQueryParametersQuery, dict(request.query_params))
        return await self._r1(request, query, "sendSmsByQuery")

    # ------------------------------------------------------------------ bulk
    async def sendBulkSms(self, request: Request) -> Response:
        """Up to 1000 messages in one JSON request; a bad phone number rejects only its message."""
        started = time.perf_counter()
        body = await http.read_body(
            request, replies.BULK_BODY_LIMIT, lambda text: errors.BulkRefused([{"error": text}], status=400)
        )
        try:
            data = await http.parse_json_async(body)  # a large body off the event loop
        except http.JsonError as exc:  # malformed, nested too deeply, too many values
            raise errors.BulkRefused([{"error": errors.BULK_BAD_JSON, "details": str(exc)}]) from None
        if not isinstance(data, dict):
            raise errors.BulkRefused([{"error": errors.BULK_NOT_OBJECT}])
        apikey = data.get("apikey")
        account = self.service.find_account(apikey) if isinstance(apikey, str) else None
        if account is None:
            raise errors.BulkRefused([{"field": "apikey", "error": errors.BULK_INVALID_API_KEY}])
        messages = data.get("messages")
        if isinstance(messages, list) and not 1 <= len(messages) <= 1000:
            raise errors.BulkRefused([{"field": "messages", "error": errors.BULK_TOO_MANY}])
        nulls = [name for name, value in data.items() if value is None]
        for index, message in enumerate(messages if isinstance(messages, list) else []):
            if isinstance(message, dict):
                nulls += [f"messages[{index}].{name}" for name, value in message.items() if value is None]
        if nulls:  # the model would read a null as "absent"; the document allows none
            raise errors.BulkRefused(
                [{"field": f, "error": errors.invalid_field(f.rsplit(".", 1)[-1])} for f in nulls[:MAX_BULK_DETAILS]]
            )
        try:
            bulk = models().BulkRequest.model_validate(data)
        except _validation_error() as exc:
            raise errors.BulkRefused(_bulk_details(exc)) from None
        problems: list[dict[str, Any]] = []
        for index, message in enumerate(bulk.messages):
            try:
                check_sender(account, message.sms_from)
            except errors.Refused as exc:
                problems.append({"field": f"messages[{index}].smsFrom", "error": exc.details})
            try:
                check_text(account, message.sms_text)
            except errors.Refused as exc:
                problems.append({"field": f"messages[{index}].smsText", "error": exc.details})
        if problems:
            raise errors.BulkRefused(problems[:MAX_BULK_DETAILS])
        phones: list[str | None] = []
        for message in bulk.messages:
            try:
                phones.append(normalise_phone(message.sms_to))
            except PhoneError:
                phones.append(None)
        # One transaction for the whole request.
        service = self.service
        request_id, message_ids = await service.batcher.run(
            lambda: service.send_sms(
                account,
                phones,
                sender=[m.sms_from for m in bulk.messages],
                texts=[m.sms_text for m in bulk.messages],
                operation="sendBulkSms",
                kind="bulk",
                callbacks=[(m.callback_value1, m.callback_value2) for m in bulk.messages],
            )
        )
        outcomes: list[dict[str, Any]] = []
        for index, (message, message_id) in enumerate(zip(bulk.messages, message_ids, strict=True)):
            if message_id is None:
                outcomes.append(
                    {"index": index, "smsTo": message.sms_to, "status": "rejected", "error": errors.BULK_PHONE}
                )
            else:
                outcomes.append(
                    {"index": index, "smsTo": message.sms_to, "status": "accepted", "messageId": message_id}
                )
        accepted = sum(1 for m in message_ids if m is not None)
        chunks = math.ceil(accepted / BULK_CHUNK)
        reply = {
            "success": True,
            "requestId": request_id,
            "messageCount": accepted,
            "timestamp": replies.iso_utc_now(),
            "processingTime": int((time.perf_counter() - started) * 1000),
            "queueStats": {"success": True, "totalChunks": chunks, "successfulChunks": chunks, "failedChunks": 0},
            "messages": outcomes,
        }
        return JSONResponse(reply)

    # ------------------------------------------------------------------ encrypted
    async def sendEncrypted(self, request: Request) -> Response:
        """The AES-256 route. Errors are plain JSON; every decryption failure reads the same."""
        if request.method == "GET":
            raise errors.Refused(errors.GET_NOT_SUPPORTED)
        if request.query_params.get("module") != "ENC":
            raise errors.Refused(errors.INVALID_ENC_QUERY)
        mode = request.query_params.get("encmode", "CBC")  # the docs: "default encryption mode is CBC"
        if mode not in ("GCM", "CBC"):
            raise errors.Refused(errors.INVALID_ENC_MODE)
        secret = request.headers.get("secret-key")
        if not secret:
            raise errors.Refused(errors.SECRET_KEY_MISSING)
        body = await http.read_body(request, replies.ENC_BODY_LIMIT, errors.Refused)
        try:
            # A key of the wrong length fails here too: the same reply as a wrong key of the right length.
            plaintext = open_json(body, secret, mode)
        except EnvelopeError:
            raise errors.Refused(errors.DECRYPTION_FAILED) from None
        account = self.service.account_by_secret(secret)
        if account is None:
            # Opened with a key no account has: from the caller's side a wrong key, so the same reply.
            raise errors.Refused(errors.DECRYPTION_FAILED)
        if plaintext.get("module") not in ("TRANS_SMS", "TRANS_SMS_DLR"):
            raise errors.Refused(errors.INVALID_MODULE_ENC)
        payload = _validated(models().EncPlaintext, plaintext).root
        if payload.apikey != account.api_key:
            raise errors.Refused(errors.INVALID_API_KEY)
        authorised(self.service, payload.apikey, _client_ip(request))  # the IP allowlist
        if isinstance(payload, models().EncSmsPlaintext):
            request_id = await self._send_r1(
                account,
                to=payload.to,
                sender=payload.from_,
                text=payload.msg,
                operation="sendEncrypted",
                kind="encrypted",
            )
            reply: dict[str, Any] = {"Status": "Success", "Details": request_id}
        else:
            reply = self._delivery_status(account, payload)
        return Response(seal_json(reply, secret, mode), media_type="text/plain")

    def _delivery_status(self, account: AccountConfig, query: EncDlrPlaintext) -> dict[str, Any]:
        day = query.smsdate.isoformat()
        found = [
            m
            for m in self.service.store.request_messages(account.api_key, query.sessionid)
            if india_date(m["created_at"]) == day
        ]
        if not found:
            return {"Status": "Success", "Details": "No records found for the specified filters"}
        message = found[0]
        status = self.service.message_status(message)
        reply: dict[str, Any] = {
            "Status": "Success",
            "Details": f"{len(found)} record{'s' if len(found) > 1 else ''} found for the specified filters",
            "DeliveryStatus": status,
            "SentAt": india_text(message["created_at"]),
        }
        if status == "DELIVERED":
            reply["DeliveredAt"] = india_text(status_at(message, self.service.delivery))
        return reply


def _bulk_details(exc: ValidationError) -> list[dict[str, Any]]:
    """pydantic's problems as the docs' `details`, with `messages[3].smsText`-style field paths."""
    details: list[dict[str, Any]] = []
    for problem in exc.errors(include_url=False, include_input=False)[:MAX_BULK_DETAILS]:
        path = ""
        for part in problem["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        name = str(problem["loc"][-1]) if problem["loc"] else "body"
        if name == "module":
            text = "Invalid Module - Expected TRANS_SMS"
        elif name == "messages":
            text = errors.BULK_TOO_MANY
        elif problem["type"] == "missing":
            text = errors.missing_field(name)
        else:
            text = errors.invalid_field(name)
        details.append({"field": path or "body", "error": text})
    return details

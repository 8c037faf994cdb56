"""Tata Smart 2FA's operations table: every operation of openapi/tata-smart2fa.yaml bound to its
handler (one method per operationId), checked at import like 2Factor's."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core.family import Operation, check_handlers
from ...core.service import Service
from . import errors
from .accounts import Accounts, TataAccount
from .otps import Selection, TataState
from .requests import (
    CHANNELS,
    LIMIT_RULES,
    LIMIT_UPDATE_RULES,
    REQUEST_ID,
    SEARCH_RULES,
    SELECT_RULES,
    USAGE_RULES,
    VERIFY_RULES,
    as_int,
    check_fields,
    destination,
    json_object,
    query_int,
    send_request,
)

PERIODS = ("daily", "monthly", "yearly")


def ok(**fields: Any) -> JSONResponse:
    """A success: `{"code": 200, "message": "OK", ...}`."""
    return JSONResponse({"code": 200, "message": "OK", **fields})


class Handlers:
    """Every Tata handler over one `Service`."""

    def __init__(self, service: Service, accounts: Accounts) -> None:
        self.service = service
        self.accounts = accounts
        self.state = TataState(service)

    async def _account(self, request: Request, query: tuple[str, ...] = ()) -> TataAccount:
        """The caller's account; then a query parameter the operation does not define is refused, as
        an unknown body field is."""
        account = self.accounts.authenticate(request)
        for name in request.query_params:
            if name not in query:
                raise errors.unknown(name)
        return account

    async def _selection(self, request: Request, *, with_code: bool) -> tuple[TataAccount, Selection, str]:
        account = await self._account(request)
        body = await json_object(request)
        required = ("service", "number", "code") if with_code else ("service", "number")
        check_fields(body, VERIFY_RULES if with_code else SELECT_RULES, required)
        selection = Selection(body["service"], destination(body["number"]), body.get("requestID"))
        return account, selection, body.get("code", "")

    # ------------------------------------------------------------------ OTP
    async def tataSendOtp(self, request: Request) -> Response:
        """Send an OTP (453 within a minute of the last one to the destination, 495/496 for limits)."""
        account = await self._account(request)
        req = send_request(await json_object(request))
        if req.account_sid is not None and not account.owns(req.account_sid):
            raise errors.invalid("accountSid")
        state = self.state
        rid, _ = await self.service.batcher.run(lambda: state.send(account, req), quick=True)
        self.service.signal.notify()
        return ok(requestID=rid)

    async def tataVerifyOtp(self, request: Request) -> Response:
        """Verify a code: 200 uses the OTP up; 460 counts an attempt."""
        account, selection, code = await self._selection(request, with_code=True)
        state = self.state
        outcome = await self.service.batcher.run(lambda: state.verify(account, selection, code), quick=True)
        if isinstance(outcome, errors.TataError):
            raise outcome
        return ok(requestID=outcome)

    async def tataCancelOtp(self, request: Request) -> Response:
        """Cancel an OTP."""
        account, selection, _ = await self._selection(request, with_code=False)
        state = self.state
        return ok(requestID=await self.service.batcher.run(lambda: state.cancel(account, selection), quick=True))

    # ------------------------------------------------------------------ search
    async def tataListOtps(self, request: Request) -> Response:
        """Every OTP of the account, paged, newest first."""
        account = await self._account(request, query=("page", "pageSize"))
        page = query_int(request, "page", 0, 0, 100000)
        size = query_int(request, "pageSize", 50, 1, 1000)
        total, records = self.state.search(account, {}, page, size)
        return ok(page=page, pageSize=size, total=total, otps=records)

    async def tataSearchOtps(self, request: Request) -> Response:
        """OTPs matching every filter given."""
        account = await self._account(request)
        body = await json_object(request)
        check_fields(body, SEARCH_RULES, ())
        page, size = as_int(body.get("page", 0)), as_int(body.get("pageSize", 50))
        total, records = self.state.search(account, body, page, size)
        return ok(page=page, pageSize=size, total=total, otps=records)

    async def tataGetOtp(self, request: Request) -> Response:
        """One OTP by its request id (461 when the account has none with it, well-formed or not)."""
        account = await self._account(request)
        rid: str = request.path_params["otpSid"]
        record = self.state.find(account, rid) if REQUEST_ID.fullmatch(rid) else None
        if record is None:
            raise errors.TataError(*errors.NOT_FOUND)
        return ok(otp=record)

    # ------------------------------------------------------------------ usage
    async def tataListUsageRecords(self, request: Request) -> Response:
        """One record per channel over the account's whole history."""
        account = await self._account(request)
        return ok(records=self.state.usage(account, CHANNELS, None, None))

    async def tataSearchUsageRecords(self, request: Request) -> Response:
        """Usage of one channel or all, between two days."""
        account = await self._account(request)
        body = await json_object(request)
        check_fields(body, USAGE_RULES, ())
        start = date.fromisoformat(body["startDate"]) if "startDate" in body else None
        end = date.fromisoformat(body["endDate"]) if "endDate" in body else None
        if start is not None and end is not None and start > end:
            raise errors.invalid("startDate")
        categories = (body["category"],) if "category" in body else CHANNELS
        return ok(records=self.state.usage(account, categories, start, end))

    async def tataListUsageRecordsByPeriod(self, request: Request) -> Response:
        """Usage per channel and day, month or year."""
        account = await self._account(request)
        period: str = request.path_params["period"]
        if period not in PERIODS:
            raise errors.invalid("period")
        return ok(records=self.state.usage_by_period(account, period))

    # ------------------------------------------------------------------ limits
    async def tataCreateLimit(self, request: Request) -> Response:
        """Create a named limit (497 when the name is taken)."""
        account = await self._account(request)
        body = await json_object(request)
        check_fields(body, LIMIT_RULES, ("name", "buckets"))
        if "accountSid" in body and not account.owns(body["accountSid"]):
            raise errors.invalid("accountSid")
        state = self.state
        return ok(limit=await self.service.batcher.run(lambda: state.create_limit(account, body)))

    async def tataListLimits(self, request: Request) -> Response:
        """Every limit of the account, by name."""
        account = await self._account(request)
        return ok(limits=self.state.limits(account))

    async def tataUpdateLimit(self, request: Request) -> Response:
        """Change a limit's description or buckets."""
        account = await self._account(request)
        body = await json_object(request)
        check_fields(body, LIMIT_UPDATE_RULES, ())
        if not body:
            raise errors.missing("buckets")
        sid: str = request.path_params["limitSid"]
        state = self.state
        return ok(limit=await self.service.batcher.run(lambda: state.update_limit(account, sid, body)))

    async def tataDeleteLimit(self, request: Request) -> Response:
        """Delete a limit; sends naming it get 495 again."""
        account = await self._account(request)
        sid: str = request.path_params["limitSid"]
        state = self.state
        await self.service.batcher.run(lambda: state.delete_limit(account, sid))
        return ok()


H = Handlers
OPERATIONS: tuple[Operation, ...] = (
    Operation("tataSendOtp", "POST", "/2fa/send", H.tataSendOtp),
    Operation("tataVerifyOtp", "POST", "/2fa/verify", H.tataVerifyOtp),
    Operation("tataCancelOtp", "POST", "/2fa/cancel", H.tataCancelOtp),
    Operation("tataListOtps", "GET", "/2fa/search", H.tataListOtps),
    Operation("tataSearchOtps", "POST", "/2fa/search", H.tataSearchOtps),
    Operation("tataGetOtp", "GET", "/2fa/search/{otpSid}", H.tataGetOtp),
    Operation("tataListUsageRecords", "GET", "/2fa/usage/records", H.tataListUsageRecords),
    Operation("tataSearchUsageRecords", "POST", "/2fa/usage/records", H.tataSearchUsageRecords),
    Operation("tataListUsageRecordsByPeriod", "GET", "/2fa/usage/records/{period}", H.tataListUsageRecordsByPeriod),
    Operation("tataCreateLimit", "POST", "/2fa/limits", H.tataCreateLimit),
    Operation("tataListLimits", "GET", "/2fa/limits", H.tataListLimits),
    Operation("tataUpdateLimit", "PUT", "/2fa/limits/{limitSid}", H.tataUpdateLimit),
    Operation("tataDeleteLimit", "DELETE", "/2fa/limits/{limitSid}", H.tataDeleteLimit),
)

check_handlers(OPERATIONS, Handlers)

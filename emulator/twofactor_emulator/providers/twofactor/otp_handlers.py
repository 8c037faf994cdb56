"""Handlers of the V1 routes: OTP sends, verifies, the sandbox routes, balance and voice OTP.

One method per operationId of openapi/twofactor.yaml (named after it); operations.py binds them to paths.
Every V1 route also accepts POST with no body, as the document's "POST on V1 routes" says.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from ...core import http
from ...core.config import AccountConfig
from ...core.phones import PhoneError, normalise_phone
from ...core.service import Service
from . import errors, replies
from .accounts import authorised
from .otp import DUMMY_SESSION, OtpLifecycle, Verdict

_OTP_RE = re.compile(r"[0-9]{4,6}", re.ASCII)  # ASCII only: "١٢٣٤" (Arabic-Indic digits) is no OTP
_DIGITS_RE = re.compile(r"[0-9]+", re.ASCII)
_TEMPLATE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)
_SESSION_RE = re.compile(r"[A-Za-z0-9-]{1,64}", re.ASCII)


class OtpHandlers:
    """The V1 handlers (a part of `operations.Handlers`, which builds them over one `Service`)."""

    service: Service
    otp: OtpLifecycle

    # ------------------------------------------------------------------ shared steps
    async def _account(self, request: Request) -> AccountConfig:
        if request.method == "POST":
            # The body means nothing on V1 routes; it is still bounded so a huge one is refused.
            await http.read_body(request, replies.V1_BODY_LIMIT, errors.Refused)
        client = request.client
        return authorised(self.service, request.path_params["api_key"], client.host if client else None)

    @staticmethod
    def _phone(account: AccountConfig, raw: str) -> str:
        try:
            return normalise_phone(raw)
        except PhoneError:
            raise errors.Refused(errors.INVALID_PHONE, sandbox=account.sandbox is True) from None

    @staticmethod
    def _template(name: str, sandbox: bool) -> str:
        if not _TEMPLATE_RE.fullmatch(name):
            # Path tricks ("..", "%2e%2e", "a;b") never reach a lookup.
            raise errors.Refused(errors.INVALID_TEMPLATE, sandbox=sandbox)
        return name

    @staticmethod
    def _otp_value(value: str, sandbox: bool) -> str:
        if not _OTP_RE.fullmatch(value):
            raise errors.Refused(errors.INVALID_OTP_VALUE, sandbox=sandbox)
        return value

    async def _send(
        self,
        request: Request,
        operation: str,
        *,
        digits: int = 6,
        template: str | None = None,
        otp: str | None = None,
        return_otp: bool = False,
        channel: str = "sms",
    ) -> Response:
        account = await self._account(request)
        phone = self._phone(account, request.path_params["phone_number"])
        sandbox = account.is_sandbox(phone)
        name = None if template is None else self._template(template, sandbox)
        value = None if otp is None else self._otp_value(otp, sandbox)
        service, lifecycle = self.service, self.otp
        sent = await service.batcher.run(
            lambda: lifecycle.send_otp(
                account, phone, operation=operation, channel=channel, otp=value, digits=digits, template=name
            ),
            quick=True,
        )
        if return_otp:
            return replies.success(sent.session_id, OTP=sent.otp)
        return replies.success(sent.session_id)

    async def _sandbox_send(
        self, request: Request, operation: str, *, with_template: bool, return_otp: bool
    ) -> Response:
        account = await self._account(request)
        phone = self._phone(account, request.path_params["phone_number"])
        if not account.is_sandbox(phone):
            raise errors.Refused(errors.SANDBOX_NOT_ENABLED)
        if with_template:
            self._template(request.path_params["otp_template_name"], sandbox=True)  # accepted, not used
        service, lifecycle = self.service, self.otp
        sent = await service.batcher.run(lambda: lifecycle.send_otp(account, phone, operation=operation), quick=True)
        if return_otp:
            return replies.success(sent.session_id, OTP=sent.otp)
        return replies.success(sent.session_id)

    async def _verify(self, request: Request, *, channel: str = "sms", sandbox_mismatch: bool = False) -> Response:
        account = await self._account(request)
        session_id: str = request.path_params["otp_session_id"]
        code: str = request.path_params["otp_entered_by_user"]
        if sandbox_mismatch and account.sandbox is True:
            # VERIFY2 in the sandbox: always "OTP Mismatch", to test error handling (docs).
            return _verdict(Verdict(False, errors.OTP_MISMATCH, sandbox=True))
        well_formed = _SESSION_RE.fullmatch(session_id) and _OTP_RE.fullmatch(code)
        if not well_formed and not (session_id == DUMMY_SESSION and channel == "sms"):
            if account.sandbox is True:
                return _verdict(Verdict(False, errors.OTP_MISMATCH, sandbox=True))
            if not _SESSION_RE.fullmatch(session_id):
                return _verdict(Verdict(False, errors.NO_ENTRY))  # no session can have that id
            raise errors.Refused(errors.INVALID_OTP_VALUE)
        service, lifecycle = self.service, self.otp
        verdict = await service.batcher.run(
            lambda: lifecycle.verify(account, session_id, code, channel=channel), quick=True
        )
        if sandbox_mismatch and verdict.sandbox:
            verdict = Verdict(False, errors.OTP_MISMATCH, sandbox=True)
        return _verdict(verdict)

    # ------------------------------------------------------------------ OTP generated by 2Factor
    async def sendOtpAutogen(self, request: Request) -> Response:
        """AUTOGEN: a 6-digit OTP with the default template."""
        return await self._send(request, "sendOtpAutogen")

    async def sendOtpAutogenWithTemplate(self, request: Request) -> Response:
        """AUTOGEN with a named template."""
        return await self._send(request, "sendOtpAutogenWithTemplate", template=_name(request))

    async def sendOtpAutogen2(self, request: Request) -> Response:
        """AUTOGEN2: as AUTOGEN, and the OTP comes back in the reply."""
        return await self._send(request, "sendOtpAutogen2", return_otp=True)

    async def sendOtpAutogen2WithTemplate(self, request: Request) -> Response:
        """AUTOGEN2 with a named template."""
        return await self._send(request, "sendOtpAutogen2WithTemplate", template=_name(request), return_otp=True)

    async def sendOtpAutogen3(self, request: Request) -> Response:
        """AUTOGEN3: a 4-digit OTP."""
        return await self._send(request, "sendOtpAutogen3", digits=4)

    async def sendOtpAutogen3WithTemplate(self, request: Request) -> Response:
        """AUTOGEN3 with a named template."""
        return await self._send(request, "sendOtpAutogen3WithTemplate", digits=4, template=_name(request))

    # ------------------------------------------------------------------ OTP chosen by the caller
    async def sendCustomOtpOrTemplateSms(self, request: Request) -> Response:
        """`/SMS/{phone}/{segment}`: ASCII digits are the OTP to send (4-6), anything else a template name."""
        segment: str = request.path_params["otp_value_or_template"]
        if _DIGITS_RE.fullmatch(segment):
            return await self._send(request, "sendCustomOtpOrTemplateSms", otp=segment)
        return await self._send(request, "sendCustomOtpOrTemplateSms", template=segment)

    async def sendCustomOtpWithTemplate(self, request: Request) -> Response:
        """The caller's OTP with a named template."""
        params = request.path_params
        return await self._send(
            request, "sendCustomOtpWithTemplate", template=params["otp_template_name"], otp=params["otp_value"]
        )

    # ------------------------------------------------------------------ verification
    async def verifyOtp(self, request: Request) -> Response:
        """VERIFY by session id."""
        return await self._verify(request)

    async def verifyOtp2(self, request: Request) -> Response:
        """VERIFY2: always "OTP Mismatch" in the sandbox, VERIFY elsewhere."""
        return await self._verify(request, sandbox_mismatch=True)

    async def verifyOtpByPhone(self, request: Request) -> Response:
        """VERIFY3 by phone number."""
        account = await self._account(request)
        phone = self._phone(account, request.path_params["phone_number"])
        code: str = request.path_params["otp_entered_by_user"]
        sandbox = account.is_sandbox(phone)
        if not _OTP_RE.fullmatch(code) and not sandbox:
            raise errors.Refused(errors.INVALID_OTP_VALUE)
        service, lifecycle = self.service, self.otp
        return _verdict(await service.batcher.run(lambda: lifecycle.verify_by_phone(account, phone, code), quick=True))

    # ------------------------------------------------------------------ sandbox
    async def sendSandboxOtp(self, request: Request) -> Response:
        """AUTOGEND: a dummy session id."""
        return await self._sandbox_send(request, "sendSandboxOtp", with_template=False, return_otp=False)

    async def sendSandboxOtpWithTemplate(self, request: Request) -> Response:
        """AUTOGEND with a template: the docs' sandbox walk-through shows the OTP in this reply."""
        return await self._sandbox_send(request, "sendSandboxOtpWithTemplate", with_template=True, return_otp=True)

    async def sendSandboxOtp2(self, request: Request) -> Response:
        """AUTOGEND2: a dummy session id and a random OTP."""
        return await self._sandbox_send(request, "sendSandboxOtp2", with_template=False, return_otp=True)

    async def sendSandboxOtp2WithTemplate(self, request: Request) -> Response:
        """AUTOGEND2 with a template."""
        return await self._sandbox_send(request, "sendSandboxOtp2WithTemplate", with_template=True, return_otp=True)

    # ------------------------------------------------------------------ balance
    async def _balance(self, request: Request) -> Response:
        account = await self._account(request)
        return replies.success(str(self.service.balance(account)))

    async def getOtpSmsBalance(self, request: Request) -> Response:
        """SMS OTP credits left."""
        return await self._balance(request)

    async def getTransactionalSmsBalance(self, request: Request) -> Response:
        """Transactional SMS credits left (one balance per account in the emulator)."""
        return await self._balance(request)

    async def getPromotionalSmsBalance(self, request: Request) -> Response:
        """Promotional SMS credits left (one balance per account in the emulator)."""
        return await self._balance(request)

    # ------------------------------------------------------------------ voice OTP
    async def sendVoiceOtpAutogen(self, request: Request) -> Response:
        """A voice call reading out a 6-digit OTP (recorded in the outbox as kind `voice`)."""
        return await self._send(request, "sendVoiceOtpAutogen", channel="voice")

    async def sendVoiceOtpWithValue(self, request: Request) -> Response:
        """A voice call reading out the caller's OTP."""
        return await self._send(request, "sendVoiceOtpWithValue", channel="voice", otp=request.path_params["otp_value"])

    async def verifyVoiceOtp(self, request: Request) -> Response:
        """Verify a voice OTP by session id, with VERIFY's replies."""
        return await self._verify(request, channel="voice")


def _name(request: Request) -> str:
    name: str = request.path_params["otp_template_name"]
    return name


def _verdict(verdict: Verdict) -> Response:
    return replies.status_body("Success" if verdict.ok else "Error", verdict.details, verdict.status)

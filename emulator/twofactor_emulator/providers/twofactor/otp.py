"""2Factor's OTP lifecycle: send, VERIFY by session id, VERIFY3 by phone, the sandbox's answers.

Resend policy (configurable per account, `otp.resend_policy`): by default ("keep") a new OTP to a
phone leaves the phone's older sessions verifiable by their session id until each expires, is
used or is locked, while VERIFY3 checks only the newest one. With "invalidate", a new send expires
the phone's older sessions at once ("OTP Expired").
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from ...core import ids
from ...core.config import OTP_PLACEHOLDER, AccountConfig
from ...core.otp import after_wrong_code, code_matches, otp_hash
from ...core.service import Service
from ...core.store import LIVE, LOCKED, VERIFIED, OtpSession, new_message
from . import errors

# The docs' sandbox: only this session id and OTP ever match.
DUMMY_SESSION = "Dummy-12345"
DUMMY_OTP = "12345"


@dataclass(frozen=True)
class Verdict:
    """The outcome of a verify. `status` is the HTTP status: 200 on a match and in the sandbox."""

    ok: bool
    details: str
    sandbox: bool = False

    @property
    def status(self) -> int:
        """HTTP status of the reply."""
        return 200 if self.ok or self.sandbox else 400


@dataclass(frozen=True)
class IssuedOtp:
    """A sent OTP: the reply's session id and the OTP (which only AUTOGEN2-style replies show)."""

    session_id: str
    otp: str


class OtpLifecycle:
    """Sends and verifies 2Factor OTPs over the shared `Service` (its store, clock and signal)."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def send_otp(
        self,
        account: AccountConfig,
        phone: str,
        *,
        operation: str,
        channel: str = "sms",
        otp: str | None = None,
        digits: int = 6,
        template: str | None = None,
    ) -> IssuedOtp:
        """Render, store and 'send' an OTP; returns after the commit.

        In the sandbox (account and phone) nothing is sent: the session is stored only so that a
        later VERIFY of it answers "OTP Mismatch" as the docs' sandbox does.
        """
        sandbox = account.is_sandbox(phone)
        text = None if sandbox else account.otp_template(template)
        if text is None and not sandbox:
            raise errors.Refused(errors.INVALID_TEMPLATE)
        value = otp if otp is not None else ids.otp_digits(digits)
        session_id = ids.session_id()
        now = self.service.now()
        session = OtpSession(
            session_id=session_id,
            account=account.api_key,
            phone=phone,
            channel=channel,
            otp_hash=otp_hash(self.service.store.pepper, session_id, value),
            created_at=now,
            expires_at=now + account.otp.ttl_seconds,
            attempts=0,
            state=LIVE,
            sandbox=sandbox,
        )
        message = None
        if text is not None:
            message = new_message(
                id=session_id,
                account=account.api_key,
                phone=phone,
                text=text.replace(OTP_PLACEHOLDER, value),
                kind="voice" if channel == "voice" else "otp",
                operation=operation,
                created_at=now,
                session_id=session_id,
                otp=value,
            )
        expire_older = now if account.otp.resend_policy == "invalidate" and not sandbox else None
        self.service.store.add_otp(session, message, expire_older_at=expire_older, credit_limit=account.credits)
        if message is not None:
            self.service.batcher.after_commit(self.service.signal.notify)
        return IssuedOtp(session_id=session_id, otp=value)

    def verify(self, account: AccountConfig, session_id: str, code: str, *, channel: str = "sms") -> Verdict:
        """VERIFY (and VERIFY2 outside the sandbox, and the voice VERIFY) by session id."""
        if session_id == DUMMY_SESSION and account.any_sandbox and channel == "sms":
            # The docs' sandbox (an SMS feature): only Dummy-12345/12345 matches.
            matched = hmac.compare_digest(code.encode(), DUMMY_OTP.encode())
            return Verdict(matched, errors.OTP_MATCHED if matched else errors.OTP_MISMATCH, sandbox=True)
        session = self.service.store.session(account.api_key, session_id, channel)
        if session is None:
            if account.sandbox is True:
                return Verdict(False, errors.OTP_MISMATCH, sandbox=True)
            return Verdict(False, errors.NO_ENTRY)
        if session.sandbox:
            return Verdict(False, errors.OTP_MISMATCH, sandbox=True)
        return self._check(account, session, code, for_phone=False)

    def verify_by_phone(self, account: AccountConfig, phone: str, code: str) -> Verdict:
        """VERIFY3: the code against the newest OTP sent to the phone (see the document)."""
        if account.is_sandbox(phone):
            return Verdict(False, errors.OTP_MISMATCH, sandbox=True)
        session = self.service.store.latest_session(account.api_key, phone, "sms")
        if session is None:
            return Verdict(False, errors.NO_ENTRY_PHONE)
        return self._check(account, session, code, for_phone=True)

    def _check(self, account: AccountConfig, session: OtpSession, code: str, *, for_phone: bool) -> Verdict:
        # Order matters: a used or locked OTP stays refused whatever the clock says.
        if session.state == VERIFIED:
            return Verdict(False, errors.NO_ENTRY_PHONE if for_phone else errors.ALREADY_VERIFIED)
        if session.state == LOCKED or session.attempts >= account.otp.max_attempts:  # also after a lowered limit
            return Verdict(False, errors.NO_ENTRY_PHONE if for_phone else errors.ATTEMPTS_EXCEEDED)
        if self.service.now() >= session.expires_at:
            return Verdict(False, errors.OTP_EXPIRED)
        if code_matches(self.service.store.pepper, session.session_id, code, session.otp_hash):
            if account.otp.single_use:
                self.service.store.record_attempt(session.session_id, session.attempts, VERIFIED)
            return Verdict(True, errors.OTP_MATCHED)
        attempts, locked = after_wrong_code(session.attempts, account.otp.max_attempts)
        self.service.store.record_attempt(session.session_id, attempts, LOCKED if locked else LIVE)
        return Verdict(False, errors.OTP_MISMATCH)

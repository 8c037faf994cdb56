"""`otp_gateway`: one OTP interface over several SMS/OTP providers, with failover that never
double-verifies. Sync (`OtpGateway`) and async (`AsyncOtpGateway`), the same methods.

    from otp_gateway import DatatechlabsSms, OtpGateway, SqliteCodeStore, TataOtp, TwoFactorOtp

    gateway = OtpGateway(
        [TwoFactorOtp(twofactor_key), TataOtp(sid, token, service="Login"), DatatechlabsSms(user, password)],
        secret=app_secret,
        store=SqliteCodeStore("otp-codes.sqlite3"),
    )
    ticket = gateway.send("+919999999999")          # session["otp"] = str(ticket)
    if gateway.verify(session["otp"], code).matched:
        ...                                         # logged in

docs/failover.md has the whole contract: the policy, the ticket, the store interface, the events.
"""

from sms_common._lazy import lazy_attributes

from ._async.base import AsyncOtpProvider, AsyncSmsProvider
from ._async.datatechlabs import AsyncDatatechlabsSms
from ._async.gateway import AsyncOtpGateway
from ._async.tata import AsyncTataOtp
from ._async.twofactor import AsyncTwoFactorOtp, AsyncTwoFactorSms
from ._sync.base import OtpProvider, SmsProvider
from ._sync.datatechlabs import DatatechlabsSms
from ._sync.gateway import OtpGateway
from ._sync.tata import TataOtp
from ._sync.twofactor import TwoFactorOtp, TwoFactorSms
from .breaker import BreakerState, CircuitBreaker
from .errors import (
    AllProvidersFailed,
    InvalidInput,
    InvalidTicket,
    OtpGatewayError,
    ProviderFailure,
    VerifyUnavailable,
)
from .events import GatewayEvent
from .outcomes import FailureKind, Health, SendFailed, VerifyOutcome, VerifyResult
from .policy import FailoverPolicy, OnAmbiguous, Selection
from .store import AsyncCodeStore, CodeStore, MemoryCodeStore, SqliteCodeStore, StoredCode
from .ticket import Delivery, OtpTicket

__all__ = [
    "AllProvidersFailed",
    "AsyncCodeStore",
    "AsyncDatatechlabsSms",
    "AsyncOtpGateway",
    "AsyncOtpProvider",
    "AsyncSmsProvider",
    "AsyncTataOtp",
    "AsyncTwoFactorOtp",
    "AsyncTwoFactorSms",
    "BreakerState",
    "CircuitBreaker",
    "CodeStore",
    "DatatechlabsSms",
    "Delivery",
    "FailoverPolicy",
    "FailureKind",
    "GatewayEvent",
    "Health",
    "InvalidInput",
    "InvalidTicket",
    "MemoryCodeStore",
    "OnAmbiguous",
    "OtpGateway",
    "OtpGatewayError",
    "OtpProvider",
    "OtpTicket",
    "ProviderFailure",
    "Selection",
    "SendFailed",
    "SmsProvider",
    "SqliteCodeStore",
    "StoredCode",
    "TataOtp",
    "TwoFactorOtp",
    "TwoFactorSms",
    "VerifyOutcome",
    "VerifyResult",
    "VerifyUnavailable",
    "__version__",
]

# `__version__`: the client distribution's, read on first use.
__getattr__ = lazy_attributes(__name__, {})

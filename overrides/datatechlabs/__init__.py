"""`datatechlabs`: a typed client for the datatechlabs SMS API, sync and async, and a parser for the
delivery receipts it posts back.

    from datatechlabs import Datatechlabs

    with Datatechlabs(username, password, base_url=..., sender="DTLABS") as dtl:
        sent = dtl.sms.send("+919999999999", "Your code is 482910", dlr_url="https://example.com/dlr", dlr_level=3)

Credentials and defaults also come from DATATECHLABS_* environment variables. See docs/providers.md.
"""

from sms_common._lazy import lazy_attributes
from sms_common.retries import RetryPolicy

from .aio import AsyncDatatechlabs
from .client import Datatechlabs
from .errors import (
    DatatechlabsError,
    InsufficientBalance,
    InvalidCredentials,
    InvalidInput,
    MalformedReply,
    RateLimited,
    Timeout,
    TransportError,
    WebhookError,
)
from .results import DeliveryReceipt, SmsSent
from .webhooks import DLR_ACK, parse_delivery_receipt

__all__ = [
    "DLR_ACK",
    "AsyncDatatechlabs",
    "Datatechlabs",
    "DatatechlabsError",
    "DeliveryReceipt",
    "InsufficientBalance",
    "InvalidCredentials",
    "InvalidInput",
    "MalformedReply",
    "RateLimited",
    "RetryPolicy",
    "SmsSent",
    "Timeout",
    "TransportError",
    "WebhookError",
    "__version__",
    "parse_delivery_receipt",
]

# `__version__`: the client distribution's, read on first use.
__getattr__ = lazy_attributes(__name__, {})

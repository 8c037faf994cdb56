"""datatechlabs' operations table: the one operation of openapi/datatechlabs-sms.yaml, bound to its
handler and checked at import like every family's."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core.credits import OutOfCreditsError
from ...core.family import Operation, check_handlers
from ...core.ids import request_id
from ...core.service import Service
from ...core.store import new_message
from ...core.webhooks import own_port, targets_self
from . import errors
from .accounts import Accounts
from .receipts import PROVIDER, ReceiptDispatcher
from .sending import read_request


class Handlers:
    """The datatechlabs handler over one `Service`."""

    def __init__(self, service: Service, accounts: Accounts, receipts: ReceiptDispatcher) -> None:
        self.service = service
        self.accounts = accounts
        self.receipts = receipts

    async def datatechlabsSendSms(self, request: Request) -> Response:
        """Accept an SMS: one credit per segment (403 past the balance); receipts follow if asked for."""
        account = self.accounts.authenticate(request)
        for name in request.query_params:  # the fields travel in the JSON body only
            raise errors.unknown(name)
        sms = await read_request(request)
        if sms.dlr_url is not None and await targets_self(sms.dlr_url, own_port(request.scope)):
            raise errors.invalid("dlr-url")  # receipts posted to the emulator itself could reset it
        service = self.service
        message = new_message(
            id=request_id(),
            account=account.username,
            phone=sms.to,
            sender=sms.sender,
            text=sms.content,
            kind="transactional",
            operation="datatechlabsSendSms",
            created_at=service.now(),
            provider=PROVIDER,
            dlr_url=sms.dlr_url,
            dlr_method=sms.dlr_method if sms.dlr_url else None,
            dlr_level=sms.dlr_level if sms.dlr_url else None,
        )
        cost = sms.segments

        def store() -> None:
            service.store.add_provider_messages(
                PROVIDER, account.username, [message], cost=cost, credit_limit=account.credits
            )

        try:
            await service.batcher.run(store, quick=True)
        except OutOfCreditsError:
            raise errors.DatatechlabsError(errors.INSUFFICIENT_BALANCE, 403) from None
        service.signal.notify()
        if sms.dlr_url is not None:
            self.receipts.loop.ensure_running()
        return JSONResponse(
            {
                "status": "Success",
                "messageId": message["id"],
                "segments": cost,
                "encoding": "UCS-2" if sms.ucs2 else "GSM-7",
            }
        )


OPERATIONS: tuple[Operation, ...] = (
    Operation("datatechlabsSendSms", "POST", "/sms/send", Handlers.datatechlabsSendSms),
)

check_handlers(OPERATIONS, Handlers)

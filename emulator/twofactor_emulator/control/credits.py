"""`GET /_emulator/credits`: each account's credits, used and left (core/credits.py counts them)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.family import Runtime


async def get_credits(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/credits: each account's credits (named by the last 4 characters of its key)."""
    service = runtime.service
    accounts = []
    for account in service.accounts:
        balance = service.balance(account)
        accounts.append(
            {
                "apiKeyEnd": account.api_key[-4:],
                "credits": account.credits,
                "used": account.credits - balance,
                "balance": balance,
            }
        )
    return JSONResponse({"accounts": accounts})

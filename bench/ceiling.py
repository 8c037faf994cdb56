"""The ceiling of our stack: a bare Starlette app that answers every request with one constant
2Factor success reply, served by the same uvicorn as the emulator. It reads the request body, as any
real handler must, and does nothing else."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

REPLY = {"Status": "Success", "Details": "6f1d2c4e-0a4b-4d7e-9a57-3c2b1e0f9d88"}


async def constant(request: Request) -> Response:
    await request.body()
    return JSONResponse(REPLY)


app = Starlette(routes=[Route("/{path:path}", constant, methods=["GET", "POST"])])

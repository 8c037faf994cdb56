"""The limit of any Python HTTP stack installable here: the bare ceiling's reply (one constant 2Factor
success, after reading the whole request body) as a raw ASGI callable, with no framework at all,
served by the fastest server stack available:

* `granian` (a Rust HTTP server calling the Python app through ASGI) when it is installed;
* else uvicorn with `httptools` and `uvloop`.

It is what no Python handler can beat on this machine: the emulator's distance to it is the cost of
uvicorn, Starlette and the emulator's own work together.

python -m bench.limit --port N [--server granian|uvicorn]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
REPLY = b'{"Status":"Success","Details":"6f1d2c4e-0a4b-4d7e-9a57-3c2b1e0f9d88"}'
_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(REPLY)).encode())],
}
_BODY = {"type": "http.response.body", "body": REPLY}


async def app(
    scope: Message, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
) -> None:
    """Read the body to its end, then send the constant reply (the lifespan protocol is acknowledged)."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send(_START)
    await send(_BODY)


def available_servers() -> list[str]:
    """The servers this machine can run the limit on, fastest first."""
    found = []
    if importlib.util.find_spec("granian") is not None:
        found.append("granian")
    if importlib.util.find_spec("httptools"):
        found.append("uvicorn")
    return found


def label(server: str) -> str:
    return {"granian": "granian (ASGI)", "uvicorn": "uvicorn + httptools + uvloop"}[server]


def argv(server: str, port: str) -> list[str]:
    """The command that serves the limit app on 127.0.0.1:`port` with one worker."""
    if server == "granian":
        return [
            sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", port,
            "--workers", "1", "--loop", "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
            "--log-level", "warning", "--no-ws", "bench.limit:app",
        ]  # fmt: skip
    return [
        sys.executable, "-m", "uvicorn", "bench.limit:app", "--host", "127.0.0.1", "--port", port,
        "--loop", "uvloop" if importlib.util.find_spec("uvloop") else "asyncio", "--http", "httptools",
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip


def main() -> int:
    import os

    parser = argparse.ArgumentParser(prog="python -m bench.limit")
    parser.add_argument("--port", required=True)
    parser.add_argument("--server", choices=("granian", "uvicorn"))
    options = parser.parse_args()
    servers = available_servers()
    server = options.server or (servers[0] if servers else None)
    if server is None:
        print("neither granian nor uvicorn with httptools and uvloop is installed", file=sys.stderr)
        return 2
    command = argv(server, options.port)
    os.execv(command[0], command)  # noqa: S606 - our own interpreter and fixed arguments
    return 0


if __name__ == "__main__":
    sys.exit(main())

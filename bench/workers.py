"""Serve an ASGI app with N uvicorn worker processes sharing one listening socket.

Why not `uvicorn --workers N`: uvicorn 0.54 binds that socket with `socket.socket(family, SOCK_STREAM)`,
whose `proto` is 0, and asyncio only turns Nagle off (TCP_NODELAY) on accepted sockets whose proto is
IPPROTO_TCP. Every reply then waits ~40 ms for the client's delayed ACK (measured: 350 req/s instead
of thousands). Here the parent binds the socket with IPPROTO_TCP and forks the workers, as gunicorn
does; each worker builds its own app after the fork (its own SQLite connection).

python -m bench.workers MODULE:ATTR [--factory] [--emulator-settings] --port N --workers N

`--emulator-settings` serves through the emulator's own uvicorn settings (twofactor_emulator/server.py:
its HTTP protocol, limits and timeouts); without it, the bare uvicorn stack the emulator runs on.
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import os
import signal
import socket
import sys
from typing import Any


def listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _load(target: str, factory: bool) -> Any:
    module, _, attr = target.partition(":")
    app = getattr(importlib.import_module(module), attr)
    return app() if factory else app


def _serve(sock: socket.socket, target: str, factory: bool, emulator_settings: bool) -> None:
    import uvicorn

    from bench.servers import SAME_STACK

    app = _load(target, factory)
    if emulator_settings:
        from twofactor_emulator.server import uvicorn_config

        config = uvicorn_config(app)
    else:
        stack = dict(zip(SAME_STACK[::2], SAME_STACK[1::2], strict=True))  # the emulator's httptools and loop
        config = uvicorn.Config(
            app, http=stack["--http"], loop=stack["--loop"], log_level="warning", access_log=False, lifespan="on"
        )
    uvicorn.Server(config).run(sockets=[sock])


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workers")
    parser.add_argument("app", help="MODULE:ATTR of the ASGI app (or of a factory with --factory)")
    parser.add_argument("--factory", action="store_true")
    parser.add_argument("--emulator-settings", action="store_true", help="the emulator's own uvicorn settings")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    sock = listening_socket(options.host, options.port)
    context = multiprocessing.get_context("fork")
    children = [
        context.Process(
            target=_serve, args=(sock, options.app, options.factory, options.emulator_settings), daemon=True
        )
        for _ in range(options.workers)
    ]
    for child in children:
        child.start()

    def stop(signum: int, _frame: object) -> None:
        for child in children:
            if child.pid is not None:
                os.kill(child.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        child.join()
    return 0 if all(child.exitcode == 0 for child in children) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The emulator app for `uvicorn --factory --workers N`: uvicorn's worker processes need an import
string, and the emulator's own command serves one process. Every worker opens the same SQLite file
(WAL mode), so state is shared through the database, as the emulator's design keeps it."""

from __future__ import annotations

import os

from starlette.applications import Starlette

DB_ENV = "BENCH_EMULATOR_DB"
CONFIG_ENV = "BENCH_EMULATOR_CONFIG"


def app() -> Starlette:
    from twofactor_emulator.testing import create_app

    return create_app(db=os.environ[DB_ENV], config=os.environ[CONFIG_ENV])

"""A database file with garbage in a middle page is refused at start: exit code 2 and one clear line,
no traceback, and nothing written into the damaged file."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from twofactor_emulator.core.config import parse_config
from twofactor_emulator.core.service import Service
from twofactor_emulator.core.store import Store

from ..conftest import CONFIG

pytestmark = pytest.mark.slow


def filled_database(path: Path) -> None:
    """A real emulator database of a few hundred pages (messages with long texts)."""
    service = Service(Store(str(path)), parse_config(CONFIG))
    account = service.accounts[0].api_key
    rows = [(f"m-{n}", account, "+919999999999", "x" * 1000, "t", "t", 0.0) for n in range(400)]
    with service.store.transaction() as cur:
        cur.executemany(
            "INSERT INTO messages (id, account, phone, text, kind, operation, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    service.store.close()  # the last close checkpoints the WAL into the file


def test_garbage_in_a_middle_page_is_refused_at_start(tmp_path: Path) -> None:
    db = tmp_path / "damaged.sqlite3"
    filled_database(db)
    size = db.stat().st_size
    page = 4096
    assert size >= 100 * page
    middle = (size // page // 2) * page
    with db.open("r+b") as file:
        file.seek(middle)
        file.write(os.urandom(page))
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    result = subprocess.run(
        [sys.executable, "-m", "twofactor_emulator", "serve", "--port", "0", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "is damaged" in lines[0] and str(db) in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # nothing was written into it


def test_an_intact_file_still_starts(tmp_path: Path) -> None:
    db = tmp_path / "intact.sqlite3"
    filled_database(db)
    store = Store(str(db))  # the check passes and the data is there
    assert store.count_messages() == 400
    store.close()

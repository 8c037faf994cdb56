"""bench/ is a folder of the repository, not an installed package: put the repository root on the
import path so the tests can import its parts (pytest runs with --import-mode=importlib)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

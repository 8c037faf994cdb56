"""Suite-wide test order: the slow tests first.

`./dev test` runs the suite on two processes (pytest-xdist, `-n 2 --dist load --maxschedchunk 1`):
each process takes the next test in this order as soon as it has finished its current one. With the
long runs (the contract runs, tens of seconds each) at the front, the many short tests fill the gaps
at the end instead of one process being left alone with a long run at the tail (see bench/README.md,
"Contract suite wall time"). A serial run changes order the same way; no test depends on the order.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: file order within each group

"""Objects that live as long as the process, kept out of the garbage collector's full scans.

A full collection scans every object that survived two younger ones; under load it ran a few times
a second and took 10-14 ms, and a request caught in it waited for it. `gc.freeze` moves the objects
alive at that moment (modules, routes, the app, the generated models) into a permanent generation
that no collection scans, so a full collection sees only what requests create (about 0.2 ms).

Only the emulator's own command freezes (`enable`, from server.tune_process): inside a test runner's
process the objects are not the emulator's, and a frozen object that becomes garbage later (a test's
app, with its database connections) would never be collected.
"""

from __future__ import annotations

import gc

_enabled = False


def enable() -> None:
    """Freeze what is alive now, and again after each `loaded` (the command's process only)."""
    global _enabled
    _enabled = True
    gc.freeze()


def loaded() -> None:
    """A module imported on first use (the generated models) is in memory for good: freeze it too."""
    if _enabled:
        gc.freeze()

"""What a user waits for before any work is done: import time, the pytest plugin's tax, the first demo.

    .venv/bin/python -m bench.startup                 # import time and plugin tax (about a minute)
    .venv/bin/python -m bench.startup --fresh-clone   # also: git clone + ./dev demo, timed once
    .venv/bin/python -m bench.startup --runs 20

Prints a markdown table. Every figure is a median over `--runs` fresh processes, the two sides of a
comparison alternating so that the load of a shared machine falls on both alike:

- import: what `import twofactor` (and `from twofactor import TwoFactor`) adds on top of
  `import httpx`, read from `python -X importtime` (the cumulative time of every top-level module
  imported after httpx);
- plugin tax: the CPU time of a one-test pytest run with the emulator's plugin registered, minus the
  same run with `-p no:twofactor_emulator`, and the import time of the plugin module itself;
- fresh clone: `git clone` of this repository into a temporary folder, then `./dev demo` there
  (the newcomer's first command: a venv, the runtime packages from the pip cache, the round trip).
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
_IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)$")


def imported_after_us(first: str, statement: str) -> int:
    """Microseconds of every top-level import after the module of `first` (`import x`), in one
    fresh process."""
    anchor = first.split()[-1]
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", f"{first}\n{statement}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),  # not the repository: its folders would shadow the installed packages
    )
    total, after_anchor = 0, False
    for line in done.stderr.splitlines():
        found = _IMPORTTIME.match(line)
        if not found:
            continue
        cumulative, indent, name = int(found.group(2)), found.group(3), found.group(4)
        if indent:
            continue  # counted in its top-level parent's cumulative time
        if after_anchor:
            total += cumulative
        elif name == anchor:
            after_anchor = True
    return total


def cpu_seconds(argv: list[str], cwd: Path) -> float:
    """CPU time (user + system) of one run of `argv`: on a shared machine it moves far less than the
    wall time, which waits for the other processes too."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, cwd=cwd, capture_output=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def alternate(runs: int, *measures: Callable[[], float]) -> list[float]:
    """The median of each measure over `runs` rounds, the measures taking turns."""
    samples: list[list[float]] = [[] for _ in measures]
    for _ in range(runs):
        for index, measure in enumerate(measures):
            samples[index].append(measure())
    return [statistics.median(values) for values in samples]


def import_rows(runs: int) -> list[str]:
    plain, client = alternate(
        runs,
        lambda: imported_after_us("import httpx", "import twofactor") / 1000,
        lambda: imported_after_us("import httpx", "from twofactor import TwoFactor") / 1000,
    )
    return [
        f"| import | `import twofactor` after `import httpx` | {plain:.1f} ms | goal ≤ 50 ms |",
        f"| import | `from twofactor import TwoFactor` after `import httpx` | {client:.1f} ms | loads the client |",
    ]


def plugin_rows(runs: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="plugin-tax-") as folder:
        project = Path(folder)
        (project / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
        base = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_one.py"]
        with_plugin, without = alternate(
            runs,
            lambda: cpu_seconds(base, project),
            lambda: cpu_seconds([*base, "-p", "no:twofactor_emulator"], project),
        )
    module_ms = statistics.median(
        imported_after_us("import pytest", "import twofactor_emulator.pytest_plugin") / 1000 for _ in range(runs)
    )
    tax_ms = (with_plugin - without) * 1000
    return [
        f"| plugin tax | CPU time of a one-test pytest run: with the plugin {with_plugin * 1000:.0f} ms, "
        f"with `-p no:twofactor_emulator` {without * 1000:.0f} ms | {tax_ms:+.0f} ms "
        f"(×{with_plugin / without:.3f}) | goal ≤ 50 ms |",
        f"| plugin tax | `import twofactor_emulator.pytest_plugin` after `import pytest` | {module_ms:.1f} ms | "
        "what registering the plugin imports |",
    ]


def fresh_clone_rows() -> list[str]:
    with tempfile.TemporaryDirectory(prefix="fresh-clone-") as folder:
        clone = Path(folder) / "x"
        start = time.perf_counter()
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        cloned = time.perf_counter() - start
        start = time.perf_counter()
        demo = subprocess.run(
            [str(clone / "dev"), "demo", "--db", ":memory:"], capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - start
        shutil.rmtree(clone, ignore_errors=True)
    verdict = "round trip OK" if demo.returncode == 0 and "round trip OK" in demo.stdout else "FAILED"
    return [
        f"| fresh clone | `git clone` ({cloned:.1f} s), then `./dev demo` ({verdict}) | {seconds:.1f} s | goal ≤ 20 s |"
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.startup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="fresh processes per figure (default 10)")
    parser.add_argument("--fresh-clone", action="store_true", help="also time git clone + ./dev demo once")
    options = parser.parse_args(argv)
    rows = ["| what | measured | figure | note |", "| --- | --- | --- | --- |"]
    rows += import_rows(options.runs)
    rows += plugin_rows(max(3, options.runs // 2))
    if options.fresh_clone:
        rows += fresh_clone_rows()
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

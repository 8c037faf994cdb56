"""Suite-wide test order (the slow tests first), the modules one process runs whole, and the
other-language stage's time in the summary.

`./dev test` runs the suite on one process more than the machine has cores (pytest-xdist,
`-n CORES+1 --dist loadgroup`; three on the 2-core machines CI uses): each process
takes the next test in this order as soon as it has finished its current one. With the long runs
(the contract runs, tens of seconds each) at the front, the many short tests fill the gaps at the end
instead of one process being left alone with a long run at the tail (see bench/README.md, "Contract
suite wall time"). A serial run changes order the same way; no test depends on the order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from xdist.remote import Producer
    from xdist.scheduler import LoadScopeScheduling

# Modules whose module-scoped fixtures are most of their time: each goes whole to one process under
# `--dist loadgroup`, which builds the fixture once instead of once per process. These are the groups
# (pytest-xdist's own `xdist_group` marks have no effect on pytest 9.2, whose node ids xdist 3.8 can
# no longer suffix with the group's name).
ONE_PROCESS_MODULES = (
    "tests/packaging/test_install.py",  # two wheels and two sdists, three venvs (about a minute)
    "tests/languages/test_typescript.py",  # tsc over every TypeScript target
    "tests/languages/test_java.py",  # javac over every Java client
)

# The multi-target stage: generating the other-language clients from the published documents,
# compiling them (tsc, go build and vet, javac) and their round trips against a real emulator.
OTHER_LANGUAGES = "tests/languages/"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: file order within each group


def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> LoadScopeScheduling | None:
    """`--dist loadgroup` with the groups above; any other mode is xdist's own."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleGroups(LoadScopeScheduling):
        """One unit of work per test, except a module of ONE_PROCESS_MODULES: one unit for all its tests."""

        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_PROCESS_MODULES else nodeid

    return ModuleGroups(config, log)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line with the time spent in tests/languages (setup, call and teardown; over both processes
    under xdist), so the other-language stage is reported apart from the rest of the suite."""
    reports = [
        report
        for reports in terminalreporter.stats.values()
        for report in reports
        if isinstance(report, pytest.TestReport) and report.nodeid.startswith(OTHER_LANGUAGES)
    ]
    if reports:
        tests = len({report.nodeid for report in reports})
        seconds = sum(report.duration for report in reports)
        terminalreporter.write_line(f"other-language clients ({OTHER_LANGUAGES}): {tests} tests, {seconds:.1f} s")

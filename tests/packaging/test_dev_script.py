"""`./dev`, the one entry point: its help is its comment block, and the demo installs only the runtime."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "dev"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DEV), *args], capture_output=True, text=True, timeout=60, check=False, cwd=ROOT)


def test_help_prints_the_commands_and_no_code() -> None:
    done = run("help")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    commands = [line.split()[1] for line in lines if line.strip().startswith("./dev ")]
    assert commands == ["demo", "test", "setup", "generate", "bundle", "lint", "emulator"]
    code_words = ("set -", "cd ", "VENV=", "#!", "$(")
    assert not [line for line in lines if any(word in line for word in code_words)], done.stdout


def test_every_command_in_the_help_is_handled() -> None:
    """A command listed in the help must have a branch in the script's `case` (and vice versa)."""
    listed = {line.split()[1] for line in run("help").stdout.splitlines() if line.strip().startswith("./dev ")}
    script = DEV.read_text()
    branches = re.findall(r"(?m)^  ([a-z|-]+)\)", script[script.index('case "$cmd" in') :])
    handled = {name for branch in branches for name in branch.split("|")}
    assert listed <= handled, listed - handled


def test_an_unknown_command_is_a_usage_error() -> None:
    done = run("no-such-command")
    assert done.returncode == 2 and "./dev help" in done.stderr


def test_the_demo_path_installs_no_dev_tools() -> None:
    """`./dev demo` installs the runtime only: no dev extra, no npm, no browser (the quick first command)."""
    script = DEV.read_text()
    demo_branch = next(line for line in script.splitlines() if line.strip().startswith("demo)"))
    assert "setup_runtime" in demo_branch and "setup;" not in demo_branch
    runtime = script[script.index("setup_runtime() {") : script.index("\n}\n", script.index("setup_runtime() {"))]
    for heavy in ("npm", "chromium", "dev]", "editable_projects dev"):
        assert heavy not in runtime, heavy


def test_the_test_command_runs_every_check() -> None:
    """CI (.ci/run) runs `./dev test`, and only there is generated/ compared with a fresh generation of
    every row (the suite proves that comparison can fail, on one row): the command must keep running it,
    with every linter and the whole suite."""
    assert "./dev test" in (ROOT / ".ci" / "run").read_text()
    script = DEV.read_text()
    test_branch = script[script.index("\n  test)") : script.index(";;", script.index("\n  test)"))]
    assert "setup" in test_branch and "run_tests" in test_branch
    run_tests = script[script.index("run_tests() {") : script.index("\n}\n", script.index("run_tests() {"))]
    assert '"$PY" scripts/generate.py --check ||' in run_tests  # every row: no --only
    assert "timed lint lint" in run_tests
    assert '-m pytest -n "$workers" --dist loadgroup "$@"' in run_tests  # the whole suite
    lint = script[script.index("lint() {") : script.index("\n}\n", script.index("lint() {"))]
    linters = ("ruff check", "ruff format --check", "mypy", "openapi_spec_validator", "spectral lint", "redocly lint")
    assert [linter for linter in linters if linter not in lint] == []

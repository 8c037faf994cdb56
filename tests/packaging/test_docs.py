"""The README and docs/ say what the code does: every command example parses, and the one table of
environment variables names every variable the code reads."""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from twofactor.cli import _parser as client_parser
from twofactor_emulator.cli import parse_args as parse_emulator_args
from twofactor_emulator.core.store import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_SH_BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
# The variables of every package of overrides/ and of the emulator: <PACKAGE NAME>_..., found by listing.
_PREFIXES = sorted({path.parent.name.upper() for path in (ROOT / "overrides").glob("*/__init__.py")} | {"TWOFACTOR"})
_VARIABLE = re.compile(rf"\b(?:{'|'.join(_PREFIXES)})_[A-Z0-9_]+\b")


def command_lines(program: str) -> Iterator[tuple[str, list[str]]]:
    """(where, arguments) of every line of a ```sh block that runs `program`."""
    for document in DOCUMENTS:
        for block in _SH_BLOCK.findall(document.read_text()):
            for line in block.replace("\\\n", " ").splitlines():  # continuation lines joined
                command = line.split(" #", 1)[0].strip().rstrip("&").strip()
                command = re.sub(r"<[^>]+>", "PLACEHOLDER", command)  # `<session id>` stands for one value
                command = re.sub(r"\[[^\]]*\]", "", command)  # `[--from ID]`: an optional part of a synopsis
                words = shlex.split(command)
                while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
                    words = words[1:]  # VAR=value before the command
                if words[:1] == [program]:
                    yield f"{document.relative_to(ROOT)}: {line.strip()}", words[1:]


def test_there_are_examples_to_check() -> None:
    assert len(list(command_lines("twofactor"))) >= 2
    assert len(list(command_lines("twofactor-emulator"))) >= 5
    assert len(list(command_lines("./dev"))) >= 5


@pytest.mark.parametrize(("where", "arguments"), list(command_lines("twofactor")), ids=lambda value: str(value))
def test_every_twofactor_example_parses(where: str, arguments: list[str]) -> None:
    try:
        client_parser().parse_args(arguments)
    except SystemExit as exit_:
        pytest.fail(f"{where}: does not parse (exit {exit_.code})")


@pytest.mark.parametrize(
    ("where", "arguments"), list(command_lines("twofactor-emulator")), ids=lambda value: str(value)
)
def test_every_twofactor_emulator_example_parses(where: str, arguments: list[str]) -> None:
    try:
        parse_emulator_args(arguments)
    except SystemExit as exit_:
        if exit_.code != 0:  # `--version` exits 0 by design
            pytest.fail(f"{where}: does not parse (exit {exit_.code})")


def test_the_emulator_banner_in_the_docs_shows_the_current_schema() -> None:
    text = (ROOT / "docs" / "emulator.md").read_text()
    shown = re.findall(r"\(schema v(\d+), journal", text)
    assert shown and all(int(version) == SCHEMA_VERSION for version in shown), (shown, SCHEMA_VERSION)


def test_every_dev_example_names_a_dev_command() -> None:
    listed = subprocess.run([str(ROOT / "dev"), "help"], capture_output=True, text=True, timeout=60, check=True)
    commands = {line.split()[1] for line in listed.stdout.splitlines() if line.strip().startswith("./dev ")}
    unknown = [where for where, arguments in command_lines("./dev") if arguments[0] not in commands]
    assert unknown == []


def _variables_read_by_code() -> set[str]:
    found: set[str] = set()
    for folder in ("overrides", "emulator", "scripts", "bench", "tests/contract"):
        for source in (ROOT / folder).rglob("*.py"):
            if "generated" not in source.parts:
                # a variable's name is a string in the code (a constant of that name is not a variable)
                text = source.read_text()
                found |= {name for name in _VARIABLE.findall(text) if f'"{name}' in text or f"'{name}" in text}
    return found


def _configuration_table() -> str:
    readme = (ROOT / "README.md").read_text()
    assert readme.count("\n## Configuration\n") == 1, "the README has one Configuration section"
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


def test_the_configuration_table_names_every_variable_the_code_reads() -> None:
    table = set(_VARIABLE.findall(_configuration_table()))
    missing = sorted(_variables_read_by_code() - table)
    assert missing == [], f"add these to the README's Configuration table: {missing}"


def test_the_configuration_table_names_no_variable_the_code_ignores() -> None:
    stale = sorted(set(_VARIABLE.findall(_configuration_table())) - _variables_read_by_code())
    assert stale == [], f"the code reads none of these: {stale}"


def test_no_document_names_a_distribution_that_does_not_exist() -> None:
    """`pip install NAME` lines and "the NAME distribution" name one of the two real distributions."""
    ours = {"twofactor-client", "twofactor-emulator"}
    for document in [*DOCUMENTS, ROOT / "CHANGELOG.md", ROOT / "emulator" / "README.md"]:
        text = document.read_text()
        installed = set(re.findall(r"pip install ([a-z][a-z0-9-]*)", text))
        named = set(re.findall(r"`([a-z][a-z0-9-]*)` (?:distribution|installed)", text))
        named |= set(re.findall(r"the ([a-z][a-z0-9-]*) distribution", text))
        wrong = {name for name in installed | named if name.startswith("twofactor")} - ours
        assert wrong == set(), f"{document.relative_to(ROOT)} names {sorted(wrong)}"
        assert "pip install -e ." not in text, f"{document.relative_to(ROOT)}: the development install is ./dev setup"

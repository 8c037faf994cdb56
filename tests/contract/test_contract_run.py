"""The contract run: the document against the emulator, every operation, every phase, every check.

Two ways, as CI runs them both:

* `test_cli_contract_run`: `st run openapi/twofactor.yaml --url <live emulator>` as a subprocess, with
  a JUnit report in artifacts/contract/ (the same command a user types, see docs/contract-tests.md);
* `test_in_process_contract_run`: the same engine in-process over ASGI (`create_app`), which is what
  the planted-bug tests reuse.
"""

from __future__ import annotations

import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from . import runner
from .conftest import EXTERNAL_URL, PROFILE, ROOT, SPEC_PATH, ST, Target, emulator_config, emulator_module

pytestmark = pytest.mark.slow

PHASES = ("examples", "coverage", "fuzzing", "stateful")


def document_operations() -> dict[str, str]:
    """operationId -> label (`GET /path`) of every operation of the document."""
    document = yaml.safe_load(SPEC_PATH.read_text())
    found = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                found[operation["operationId"]] = f"{method.upper()} {path}"
    return found


def document_links() -> set[tuple[str, str]]:
    """(response component, link name) of every link of the document."""
    document = yaml.safe_load(SPEC_PATH.read_text())
    return {
        (name, link)
        for name, response in document["components"]["responses"].items()
        for link in response.get("links", {})
    }


def st_command(url: str, junit: Path, *extra: str) -> list[str]:
    return [
        str(ST) if ST.exists() else "st",
        "run",
        "openapi/twofactor.yaml",
        "--url",
        url,
        "--phases",
        ",".join(PHASES),
        # No `--checks all`: a command-line check list overrides every per-operation setting of
        # schemathesis.toml (the commented exclusions there). Every check is on by default anyway
        # (`[checks] enabled = true`), including the custom ones of tests/contract/extensions.py.
        "--max-examples",
        str(PROFILE["cli_max_examples"]),
        "--report",
        "junit,ndjson",
        "--report-junit-path",
        str(junit),
        "--report-ndjson-path",
        str(junit.with_suffix(".ndjson")),
        "--workers",
        "1",
        *extra,
    ]


def test_cli_contract_run(target: Target, artifacts: Path) -> None:
    junit = artifacts / "st-run-junit.xml"
    env = dict(os.environ, NO_COLOR="1", TWOFACTOR_CONTRACT_API_KEY=target.api_key)
    env["TWOFACTOR_CONTRACT_SECRET_KEY"] = target.secret_key
    completed = subprocess.run(
        st_command(target.base_url, junit),
        cwd=ROOT,  # schemathesis.toml and its hooks module are found from the repository root
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = completed.stdout + completed.stderr
    (artifacts / "st-run-output.txt").write_text(output)
    assert completed.returncode == 0, (
        f"st run failed (full output in {artifacts / 'st-run-output.txt'}):\n{output[-6000:]}"
    )

    # Every operation of the document was tested, by name, in the JUnit report.
    # The report is the file st just wrote, not untrusted input.
    tested = {case.get("name", "") for case in ET.parse(junit).getroot().iter("testcase")}  # noqa: S314
    missing = [label for label in document_operations().values() if label not in tested]
    assert not missing, f"operations absent from the JUnit report: {missing}"

    # Every phase ran, and the stateful phase followed the links.
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert re.search(rf"✅\s+{phase}\b", output), f"phase {phase} did not pass:\n{output[-3000:]}"
    links = re.search(r"API Links:\s+(\d+) covered / (\d+) selected / (\d+) total", output)
    assert links, output[-3000:]
    covered, selected, total = map(int, links.groups())
    assert covered > 0 and selected == total
    (artifacts / "links-covered.txt").write_text(f"{covered} of {total} links covered\n")


def in_process_app() -> Any:
    if EXTERNAL_URL:
        pytest.skip("TWOFACTOR_CONTRACT_URL points the suite at a live deployment; no in-process app")
    return emulator_module().create_app(db=":memory:", config=emulator_config())


def test_in_process_contract_run(artifacts: Path) -> None:
    schema = runner.load_schema(app=in_process_app(), phases=PHASES)
    result = runner.run(schema)
    (artifacts / "in-process-links-covered.txt").write_text("\n".join(sorted(result.links_covered)) + "\n")
    (artifacts / "in-process-findings.txt").write_text(result.summary() + "\n")
    assert not result.errors, result.summary()
    assert not result.findings, result.summary()
    expected = set(document_operations().values())
    assert expected <= result.operations, f"untested: {sorted(expected - result.operations)}"
    assert set(PHASES) <= result.phases, result.phases
    # The stateful phase followed the links from the sends to VERIFY and VERIFY3, AUTOGEN2's included
    # (the one that carries the OTP, so the run can reach "OTP Matched").
    followed = "\n".join(sorted(result.links_covered))
    for link, source in (("verifyBySession", "/AUTOGEN2"), ("verifyByPhone", "/AUTOGEN2"), ("verifyBySession", "")):
        assert any(link in transition and source in transition for transition in result.links_covered), (
            f"link {link} from {source or 'any send'} not followed; followed:\n{followed}"
        )

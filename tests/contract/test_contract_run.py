"""The contract run: each document against the emulator, every operation, every phase, every check.

Two ways, as CI runs them both, for openapi/twofactor.yaml (the 2Factor API) and for
openapi/emulator-admin.yaml (the emulator's control API):

* `test_cli_contract_run`: `st run <document> --url <live emulator>` as a subprocess, with a JUnit
  report in artifacts/contract/ (the same command a user types, see docs/contract-tests.md);
* `test_in_process_contract_run`: the same engine in-process over ASGI (`create_app`), which is what
  the planted-bug tests reuse, and which lists the stateful links it followed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from . import runner
from .conftest import (
    ADMIN_SPEC_PATH,
    DATATECHLABS_CREDENTIALS,
    DATATECHLABS_SPEC_PATH,
    EXTERNAL_URL,
    PROFILE,
    ROOT,
    SPEC_PATH,
    ST,
    TATA_CREDENTIALS,
    TATA_SPEC_PATH,
    TOML_DATATECHLABS,
    TOML_TATA,
    Target,
    emulator_config,
    emulator_module,
)
from .extensions import TOML_API_KEY, TOML_SECRET_KEY

pytestmark = pytest.mark.slow

PHASES = ("examples", "coverage", "fuzzing", "stateful")
# The control API and datatechlabs have no links, so their runs have no stateful phase (schemathesis
# skips it); Tata's links go from the send to verify, cancel and the lookup.
DOCUMENTS = {
    "twofactor": SPEC_PATH,
    "admin": ADMIN_SPEC_PATH,
    "tata": TATA_SPEC_PATH,
    "datatechlabs": DATATECHLABS_SPEC_PATH,
}
CONFIG_PATH = ROOT / "schemathesis.toml"


def load_document(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


def excluded_operations() -> set[str]:
    """operationIds that schemathesis.toml switches off (`enabled = false`, each entry commented there)."""
    entries = tomllib.loads(CONFIG_PATH.read_text()).get("operations", [])
    excluded: set[str] = set()
    for entry in entries:
        if entry.get("enabled", True) is False:
            ids = entry.get("include-operation-id", [])
            excluded.update([ids] if isinstance(ids, str) else ids)
    return excluded


def document_operations(path: Path, *, tested_only: bool = False) -> dict[str, str]:
    """operationId -> label (`GET /path`) of every operation of the document (or every one the run tests)."""
    skipped = excluded_operations() if tested_only else set()
    found = {}
    for route, item in load_document(path)["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") not in skipped | {None}:
                found[operation["operationId"]] = f"{method.upper()} {route}"
    return found


def document_links(path: Path) -> set[tuple[str, str]]:
    """(operationId of the source, link name) of every link the document's operations can follow."""
    document = load_document(path)
    responses = document.get("components", {}).get("responses", {})
    found = set()
    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            for response in operation.get("responses", {}).values():
                if "$ref" in response:
                    response = responses[response["$ref"].rsplit("/", 1)[1]]
                found.update((operation["operationId"], link) for link in response.get("links", {}))
    return found


@contextmanager
def cli_config(target: Target) -> Iterator[list[str]]:
    """`st` options that make the CLI use the target's account.

    schemathesis reads the values it injects from the dictionaries of schemathesis.toml. Against
    another deployment (other keys) the run uses a temporary copy with the target's keys in them,
    deleted afterwards: the keys are never written into the repository or artifacts/.
    """
    sandbox_phone = os.environ.get("TWOFACTOR_CONTRACT_SANDBOX_PHONE")
    replacements = {
        TOML_API_KEY: target.api_key,
        TOML_SECRET_KEY: target.secret_key,
        **dict(zip(TOML_TATA, TATA_CREDENTIALS, strict=True)),
        **dict(zip(TOML_DATATECHLABS, DATATECHLABS_CREDENTIALS, strict=True)),
    }
    if all(old == new for old, new in replacements.items()) and not sandbox_phone:
        yield []
        return
    text = CONFIG_PATH.read_text()
    for old, new in replacements.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    if sandbox_phone:
        text = re.sub(
            r"(\[dictionaries\.sandbox-phone\](?:\n#.*)*\nvalues = )\[.*\]", rf'\g<1>["{sandbox_phone}"]', text
        )
    with tempfile.TemporaryDirectory(prefix="contract-config-") as folder:
        copy = Path(folder) / "schemathesis.toml"
        copy.write_text(text)
        copy.chmod(0o600)
        yield ["--config-file", str(copy)]


def st_command(document: Path, url: str, junit: Path, config_options: list[str]) -> list[str]:
    # The default profile is schemathesis.toml as it is; the deep one raises the examples of every
    # phase (the stateful phase's scenarios too) from the command line.
    examples = ["--max-examples", str(PROFILE["max_examples"])] if "max_examples" in PROFILE else []
    return [
        str(ST) if ST.exists() else "st",
        *config_options,
        "run",
        str(document.relative_to(ROOT)),
        "--url",
        url,
        "--phases",
        ",".join(PHASES),
        # No `--checks all`: a command-line check list overrides every per-operation setting of
        # schemathesis.toml (the commented exclusions there). Every check is on by default anyway
        # (`[checks] enabled = true`), the custom ones of tests/contract/extensions.py included.
        *examples,
        "--report",
        "junit,ndjson",
        "--report-junit-path",
        str(junit),
        "--report-ndjson-path",
        str(junit.with_suffix(".ndjson")),
        "--workers",
        "1",
    ]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_cli_contract_run(name: str, request: pytest.FixtureRequest, artifacts: Path) -> None:
    # The 2Factor run only sends 2Factor requests, as the other users of the session's emulator do,
    # so it shares it (one emulator start fewer); the control API's run installs faults, moves the
    # clock and resets, so it gets an emulator of its own.
    target: Target = request.getfixturevalue("fresh_target" if name == "admin" else "target")
    if name == "admin" and EXTERNAL_URL:
        pytest.skip("the control API is the emulator's own; TWOFACTOR_CONTRACT_URL points at another server")
    document = DOCUMENTS[name]
    junit = artifacts / f"st-run-{name}-junit.xml"
    output_file = artifacts / f"st-run-{name}-output.txt"
    env = dict(os.environ, NO_COLOR="1", TWOFACTOR_CONTRACT_API_KEY=target.api_key)
    env["TWOFACTOR_CONTRACT_SECRET_KEY"] = target.secret_key
    with cli_config(target) as config_options:
        completed = subprocess.run(
            st_command(document, target.base_url, junit, config_options),
            cwd=ROOT,  # the hooks module is imported by its dotted name from the repository root
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    output = completed.stdout + completed.stderr
    output_file.write_text(output)
    ndjson = junit.with_suffix(".ndjson")
    followed = applied_transitions(ndjson) if ndjson.exists() else set()
    # The event stream is tens of MB and carries the account's key in request paths: read, then drop it.
    ndjson.unlink(missing_ok=True)
    assert completed.returncode == 0, f"st run failed (full output in {output_file}):\n{output[-6000:]}"

    # Every operation of the document was tested, by name, in the JUnit report.
    # The report is the file st just wrote, not untrusted input.
    tested = {case.get("name", "") for case in ET.parse(junit).getroot().iter("testcase")}  # noqa: S314
    missing = [label for label in document_operations(document, tested_only=True).values() if label not in tested]
    assert not missing, f"operations absent from the JUnit report: {missing}"

    # Every phase ran and passed; the stateful phase followed the document's links.
    links = document_links(document)
    for phase in ("Examples", "Coverage", "Fuzzing", *(("Stateful",) if links else ())):
        assert re.search(rf"✅\s+{phase}\b", output), f"phase {phase} did not pass:\n{output[-3000:]}"
    if links:
        counted = re.search(r"API Links:\s+(\d+) covered / (\d+) selected / (\d+) total", output)
        assert counted and int(counted.group(1)) == len(followed), output[-3000:]
        assert_links_followed(document, followed, artifacts / f"st-run-{name}-links.txt")


def applied_transitions(ndjson: Path) -> set[str]:
    """The links the stateful phase followed (`transition.id` of every applied transition) in an ndjson report."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            transition = node.get("transition")
            if isinstance(transition, dict) and node.get("is_transition_applied"):
                found.add(transition["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    with ndjson.open() as lines:
        for line in lines:
            if '"transition"' in line:
                walk(json.loads(line))
    return found


# At least this share of the document's links must be followed (the default profile follows 21 or 22
# of 22; which ones a seeded run reaches differs a little between ASGI and a real socket).
LINK_SHARE = 0.9
# The sends whose links carry the OTP itself (`$response.body#/OTP`): following them reaches "OTP Matched".
OTP_CARRYING_SENDS = ("sendOtpAutogen2",)


def assert_links_followed(document: Path, transitions: set[str], record: Path) -> None:
    """The stateful phase followed links from the sends to VERIFY, VERIFY3 and the voice VERIFY."""
    operations = document_operations(document)
    links = document_links(document)
    followed = {
        (source, link)
        for source, link in links
        if any(t.startswith(f"{operations[source]} -> ") and f"] {link} -> " in t for t in transitions)
    }
    record.write_text(
        f"{len(followed)} of {len(links)} links followed\n"
        + "".join(f"  {source} -> {link}\n" for source, link in sorted(followed))
        + "".join(f"  NOT FOLLOWED {source} -> {link}\n" for source, link in sorted(links - followed))
    )
    names = {link for _, link in links}
    assert names == {link for _, link in followed}, f"a kind of link was never followed; see {record}"
    for source in OTP_CARRYING_SENDS:
        wanted = {(s, link) for s, link in links if s == source}
        assert wanted <= followed, f"links of {source} not followed: {sorted(wanted - followed)}; see {record}"
    assert len(followed) >= LINK_SHARE * len(links), f"only {len(followed)} of {len(links)} links; see {record}"


def in_process_app() -> Any:
    if EXTERNAL_URL:
        pytest.skip("TWOFACTOR_CONTRACT_URL points the suite at a live deployment; no in-process app")
    return emulator_module().create_app(db=":memory:", config=emulator_config())


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_in_process_contract_run(name: str, artifacts: Path) -> None:
    document = DOCUMENTS[name]
    result = runner.run(runner.load_schema(app=in_process_app(), path=document, phases=PHASES))
    (artifacts / f"in-process-{name}-findings.txt").write_text(result.summary() + "\n")
    assert not result.errors, result.summary()
    assert not result.findings, result.summary()
    expected = set(document_operations(document, tested_only=True).values())
    assert expected <= result.operations, f"untested: {sorted(expected - result.operations)}"
    links = document_links(document)
    assert set(PHASES[:3]) | ({"stateful"} if links else set()) <= result.phases, result.phases
    operations = document_operations(document)

    (artifacts / f"in-process-{name}-replies.txt").write_text(
        "".join(
            f"{operation}\n" + "".join(f"  {count:5d}  {reading}\n" for reading, count in readings.most_common())
            for operation, readings in sorted(result.replies.items())
        )
    )
    if links:
        assert_links_followed(document, result.links_covered, artifacts / f"in-process-{name}-links.txt")
    if name == "twofactor":
        # The encrypted route was fuzzed past "Decryption failed": sealed 200 replies, each opened and
        # validated against EncReply by response_schema_conformance and twofactor_sealed_reply_opens,
        # and plaintexts the route refused for what they say, not for how they were sealed.
        enc = result.replies.get(operations["sendEncrypted"], {})
        assert result.reached(operations["sendEncrypted"], "200") > 0, dict(enc)
        refused_inside = [r for r in enc if r.startswith("400 Error: ") and "Decryption failed" not in r]
        assert refused_inside, dict(enc)
        # The stateful phase verified real OTPs: AUTOGEN2's link carries the OTP to VERIFY.
        assert result.reached(operations["verifyOtp"], "200 Success: OTP Matched") > 0, result.replies

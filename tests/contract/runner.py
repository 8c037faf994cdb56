"""Run the schemathesis engine in-process (the same engine `st run` drives) and collect what failed.

Used by the in-process contract run and by the planted-bug tests. The schema is loaded with
`schemathesis.openapi.from_path`, which discovers schemathesis.toml (checks, dictionaries, hooks), so a
Python run checks what the CLI run checks.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.engine import events, from_schema

from .conftest import PROFILE, SPEC_PATH


@dataclass(frozen=True)
class Finding:
    phase: str
    check: str
    operation: str
    message: str

    def __str__(self) -> str:
        first = self.message.strip().splitlines()[0] if self.message.strip() else ""
        return f"[{self.phase}] {self.operation}: {self.check}: {first}"


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    operations: set[str] = field(default_factory=set)
    phases: set[str] = field(default_factory=set)
    links_covered: set[str] = field(default_factory=set)
    # operation label -> how its replies read ("200 Success: OTP Matched", "400 Error: Decryption failed",
    # "404 453: Too many OTP request...", "200" for a reply without a text, e.g. a sealed ENC reply), to
    # show what was reached.
    replies: dict[str, Counter[str]] = field(default_factory=dict)
    stop_reason: str = ""

    def by_check(self, name: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.check == name]

    def reached(self, operation: str, reply: str) -> int:
        """How many replies of `operation` read `reply` (see `replies`)."""
        return self.replies.get(operation, Counter())[reply]

    def summary(self) -> str:
        lines = [str(finding) for finding in self.findings] + [f"error: {error}" for error in self.errors]
        return "\n".join(lines[:40]) or "no findings"


def operation_id(operation: Any) -> str | None:
    raw = operation.definition.raw
    return raw.get("operationId") if isinstance(raw, dict) else None


def load_schema(
    *,
    app: Any = None,
    base_url: str | None = None,
    operations: Iterable[str] | None = None,
    path: Path = SPEC_PATH,
    phases: Iterable[str] | None = None,
    max_examples: int | None = None,
    checks: Iterable[str] | None = None,
    stateful_scenarios: int | None = None,
) -> Any:
    """The document as schemathesis sees it, against an ASGI app (in-process) or a base URL."""
    schema = schemathesis.openapi.from_path(path)
    if operations is not None:
        wanted = set(operations)
        # `schema.include(...)` selects everything once schemathesis.toml has `[[operations]]` entries
        # (see /work/shared/TOOLCHAIN.md); `exclude` with a function filters correctly.
        schema = schema.exclude(func=lambda ctx: operation_id(ctx.operation) not in wanted)
    if app is not None:
        schema.app = app
        base_url = base_url or "http://testserver"
    schema.config.update(base_url=base_url)
    if phases is not None:
        schema.config.phases.update(phases=list(phases))
    # Unset values keep what schemathesis.toml says (the default profile).
    if max_examples or "max_examples" in PROFILE:
        schema.config.generation.update(max_examples=max_examples or PROFILE["max_examples"])
    # The stateful phase's own `max-examples` (scenarios) in schemathesis.toml wins over the one above.
    if stateful_scenarios or "stateful_scenarios" in PROFILE:
        scenarios = stateful_scenarios or PROFILE["stateful_scenarios"]
        schema.config.phases.stateful.generation.update(max_examples=scenarios)
    if "stateful_steps" in PROFILE:
        schema.config.phases.stateful.max_steps = PROFILE["stateful_steps"]
    if checks is not None:
        schema.config.checks.update(included_check_names=list(checks))
    return schema


def run(schema: Any, *, on_event: Callable[[Any], None] | None = None) -> RunResult:
    """Execute every configured phase and collect the failed checks per operation and phase."""
    result = RunResult()
    for event in from_schema(schema).execute():
        if on_event is not None:
            on_event(event)
        if isinstance(event, events.ScenarioFinished):
            result.phases.add(str(event.phase.value))
            result.operations.add(event.recorder.label)
            # The links the stateful phase followed, as the CLI counts them ("API Links: N covered").
            result.links_covered.update(
                case.transition.id
                for case in event.recorder.cases.values()
                if case.transition is not None and case.is_transition_applied
            )
            for case_id, interaction in event.recorder.interactions.items():
                node = event.recorder.cases.get(case_id)
                if node is not None and interaction.response is not None:
                    label = node.value.operation.label
                    result.replies.setdefault(label, Counter())[reply_reading(interaction.response)] += 1
            for check_results in event.recorder.checks.values():
                for check in check_results:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        result.findings.append(
                            Finding(
                                phase=str(event.phase.value),
                                check=check.name,
                                operation=event.recorder.label,
                                message=getattr(failure, "message", "") or getattr(failure, "title", ""),
                            )
                        )
        elif isinstance(event, events.NonFatalError):
            result.errors.append(f"{event.label}: {event.info}")
        elif isinstance(event, events.FatalError):
            result.errors.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            result.stop_reason = str(event.stop_reason.value)
    # One finding per (phase, check, operation, first line) is enough to read.
    unique: dict[str, Finding] = {}
    for finding in result.findings:
        unique.setdefault(str(finding), finding)
    result.findings = list(unique.values())
    return result


def reply_reading(response: Any) -> str:
    """`<HTTP status> <Status>: <Details>` for 2Factor's envelope, the status alone otherwise."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError, TypeError):
        body = None
    if isinstance(body, dict) and "Status" in body:
        return f"{response.status_code} {body['Status']}: {body.get('Details')}"
    if isinstance(body, dict) and isinstance(body.get("message"), str):  # Tata's and datatechlabs' errors
        return f"{response.status_code} {body.get('code', body.get('status'))}: {body['message'][:60]}"
    return str(response.status_code)

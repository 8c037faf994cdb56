"""`GET`/`PUT /_emulator/faults`: latency, errors, dropped connections and the rate limit on the
provider routes (core/faults.py applies them)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.family import Runtime
from ..core.faults import DEFAULT_RATE_LIMIT, INJECTED, KINDS, MAX_LATENCY_MS, FaultRule, Faults, FaultSettings
from .params import ControlError, integer, json_body, number

MAX_RULES = 50
MAX_COUNT = 1_000_000_000  # times a rule fires
MAX_RATE_LIMIT = 1_000_000
MAX_SEED = 2**63 - 1


def _reply(faults: Faults) -> Response:
    settings = faults.settings
    return JSONResponse(
        {
            "rules": [rule.to_json() for rule in settings.rules],
            "rateLimit": None if settings.rate_limit is None else {"requestsPerSecond": settings.rate_limit},
            "seed": settings.seed,
        }
    )


async def get_faults(runtime: Runtime, request: Request) -> Response:
    """GET /_emulator/faults."""
    return _reply(runtime.faults)


async def set_faults(runtime: Runtime, request: Request) -> Response:
    """PUT /_emulator/faults: replaces every rule and the rate limit; `{}` turns everything off."""
    body = await json_body(request, required=True)
    rules = body.get("rules", [])
    if not isinstance(rules, list) or len(rules) > MAX_RULES:
        raise ControlError(f"rules must be a list of at most {MAX_RULES} rules")
    parsed = [_rule(runtime.faults, rule, n) for n, rule in enumerate(rules)]
    limit = body.get("rateLimit")
    rate: int | None = None
    if limit is not None:
        if not isinstance(limit, dict):
            raise ControlError("rateLimit must be an object or null")
        try:
            rate = integer(limit, "requestsPerSecond", DEFAULT_RATE_LIMIT, 1, MAX_RATE_LIMIT)
        except ControlError as exc:
            raise ControlError(f"rateLimit.{exc.message}") from None
    seed = integer(body, "seed", None, 0, MAX_SEED)
    runtime.faults.configure(FaultSettings(rules=parsed, rate_limit=rate, seed=seed))
    return _reply(runtime.faults)


def _rule(faults: Faults, raw: Any, n: int) -> FaultRule:
    where = f"rules[{n}]"
    if not isinstance(raw, dict):
        raise ControlError(f"{where} must be an object")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ControlError(f"{where}.kind must be one of {', '.join(KINDS)}")
    operation = raw.get("operation")
    # isinstance first: a list or object here would be unhashable in the set lookup (a 500).
    if operation is not None and (not isinstance(operation, str) or operation not in faults.operation_ids):
        raise ControlError(f"{where}.operation must be an operationId of a provider document or null")
    try:
        count = integer(raw, "count", None, 1, MAX_COUNT)
    except ControlError as exc:
        raise ControlError(f"{where}.{exc.message}") from None
    status = raw.get("status", 503)
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise ControlError(f"{where}.status must be an HTTP status from 400 to 599")
    details = raw.get("details", INJECTED)
    if not isinstance(details, str) or not 1 <= len(details) <= 500:
        raise ControlError(f"{where}.details must be a text of 1 to 500 characters")
    latency = number(raw, "latencyMs", 0.0, MAX_LATENCY_MS)
    latency_max = None if raw.get("latencyMaxMs") is None else number(raw, "latencyMaxMs", 0.0, MAX_LATENCY_MS)
    if latency_max is not None and latency_max < latency:
        raise ControlError(f"{where}.latencyMaxMs must not be below latencyMs")
    return FaultRule(
        kind=kind,
        operation=operation,
        probability=number(raw, "probability", 1.0, 1.0),
        count=count,
        latency_ms=latency,
        latency_max_ms=latency_max,
        status=status,
        details=details,
    )

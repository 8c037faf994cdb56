"""Every provider family and its document must not drift apart: each operationId of the document has
exactly one handler (the method named after it), each handler serves an operation of the document,
and a request to the documented path and method reaches that handler (2Factor's own route
precedence is checked in test_routes_match_document.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.routing import Match
from twofactor_emulator.core.family import ProviderFamily
from twofactor_emulator.providers import FAMILIES
from twofactor_emulator.testing import create_app

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# A concrete value per path parameter of the documents, so a client's path can be routed.
SAMPLES = {
    "api_key": "8f2c3c1e-0000-4000-8000-000000000001",
    "phone_number": "+919999999999",
    "otp_template_name": "OTP1",
    "otp_value": "12345",
    "otp_value_or_template": "12345",
    "otp_session_id": "160gaseavbemjvlgw7o-7303503698702e11",
    "otp_entered_by_user": "123456",
    "otpSid": "OTP99d0418681c7dfcb9586a5d69787a77",
    "period": "daily",
    "limitSid": "LMbace6be07558cec1faddac8a04804923",
}


def documented(family: ProviderFamily) -> set[tuple[str, str, str]]:
    document = yaml.safe_load((ROOT / family.document).read_text(encoding="utf-8"))
    return {
        (item[method]["operationId"], method.upper(), path)
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    }


def resolve(app: Any, method: str, path: str) -> Any:
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b"", "headers": []}
    for route in app.routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            endpoint = route.endpoint
            return getattr(endpoint, "endpoints", {}).get(method, endpoint)
    return None


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_every_documented_operation_has_one_handler_and_no_more(family: ProviderFamily) -> None:
    implemented = {(o.operation_id, o.method, o.path) for o in family.operations}
    assert sorted(documented(family) - implemented) == [], "documented operations without a handler"
    assert sorted(implemented - documented(family)) == [], "routes the document does not describe"
    assert len({o.operation_id for o in family.operations}) == len(family.operations)


@pytest.mark.parametrize(
    ("family", "operation_id", "method", "path"),
    [(f, *op) for f in FAMILIES for op in sorted(documented(f))],
    ids=lambda v: v.name if isinstance(v, ProviderFamily) else str(v),
)
def test_the_documented_path_reaches_its_handler(
    family: ProviderFamily, operation_id: str, method: str, path: str
) -> None:
    app = create_app()
    concrete = path.format(**SAMPLES)
    endpoint = resolve(app, method, concrete)
    assert endpoint is not None, f"{method} {concrete} matches no route"
    assert endpoint.__name__ == operation_id


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_paths_stay_under_the_family_prefixes(family: ProviderFamily) -> None:
    for operation in family.operations:
        assert operation.path.startswith(family.path_prefixes), operation.path

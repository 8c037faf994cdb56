"""The emulator's routes and openapi/twofactor.yaml must not drift apart: every documented
operation has exactly one handler, named after its operationId, and a request to the documented
path reaches that handler (route precedence included)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import yaml
from starlette.routing import Route
from twofactor_emulator.providers import FAMILIES
from twofactor_emulator.providers.twofactor.operations import OPERATIONS
from twofactor_emulator.providers.twofactor.otp_handlers import OtpHandlers
from twofactor_emulator.providers.twofactor.sms_handlers import SmsHandlers
from twofactor_emulator.testing import create_app

from .conftest import CONFIG
from .test_families_match_documents import SAMPLES, resolve

DOCUMENT = Path(__file__).resolve().parents[2] / "openapi" / "twofactor.yaml"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def documented() -> set[tuple[str, str, str]]:
    document = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    found = set()
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                found.add((item[method]["operationId"], method.upper(), path))
    return found


def test_every_operation_has_a_route_and_every_route_an_operation() -> None:
    implemented = {(o.operation_id, o.method, o.path) for o in OPERATIONS}
    assert sorted(documented() - implemented) == [], "documented operations without a handler"
    assert sorted(implemented - documented()) == [], "routes the document does not describe"
    assert len({o.operation_id for o in OPERATIONS}) == len(OPERATIONS)


def test_handlers_have_no_method_without_an_operation() -> None:
    ids = {o.operation_id for o in OPERATIONS}
    public = {
        name
        for cls in (OtpHandlers, SmsHandlers)
        for name, member in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }
    assert public == ids


@pytest.mark.parametrize(("operation_id", "method", "path"), sorted(documented()))
def test_the_documented_path_reaches_its_handler(operation_id: str, method: str, path: str) -> None:
    app = create_app(config=CONFIG)
    concrete = path.format(**SAMPLES)
    endpoint = resolve(app, method, concrete)
    assert endpoint is not None, f"{method} {concrete} matches no route"
    assert endpoint.__name__ == operation_id


def test_only_the_control_api_lives_outside_the_documents() -> None:
    app = create_app(config=CONFIG)
    paths = {o.path for family in FAMILIES for o in family.operations}
    # Hidden routes (GET /API/R1's documented 400, the short links' GET /{header}/{code}) serve no operation.
    extra = [r.path for r in app.routes if isinstance(r, Route) and r.include_in_schema and r.path not in paths]
    # The control API lives under /_emulator/, plus GET / (to the inbox), both in the admin document.
    assert extra and all(p.startswith("/_emulator/") or p == "/" for p in extra)

"""The provider registry: every family's operations are bound to handlers at import, and a handler
without an operation (or an operation bound to the wrong handler) stops the import."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.responses import Response
from twofactor_emulator.core.family import Operation, check_handlers
from twofactor_emulator.providers import FAMILIES


class Handlers:
    async def sendThing(self, request: Request) -> Response:
        return Response()

    async def verifyThing(self, request: Request) -> Response:
        return Response()

    async def _helper(self, request: Request) -> Response:  # private: no operation needed
        return Response()


BOTH = (
    Operation("sendThing", "POST", "/x/send", Handlers.sendThing),
    Operation("verifyThing", "POST", "/x/verify", Handlers.verifyThing),
)


def test_a_complete_table_passes() -> None:
    check_handlers(BOTH, Handlers)


def test_a_handler_without_an_operation_fails() -> None:
    with pytest.raises(TypeError, match="without an operation: verifyThing"):
        check_handlers(BOTH[:1], Handlers)


def test_an_operation_bound_to_another_handler_fails() -> None:
    wrong = (Operation("sendThing", "POST", "/x/send", Handlers.verifyThing), BOTH[1])
    with pytest.raises(TypeError, match="sendThing is not bound"):
        check_handlers(wrong, Handlers)


def test_an_operation_listed_twice_fails() -> None:
    with pytest.raises(TypeError, match="twice"):
        check_handlers((*BOTH, BOTH[0]), Handlers)


def test_families_have_distinct_names_prefixes_and_operation_ids() -> None:
    names = [f.name for f in FAMILIES]
    prefixes = [p for f in FAMILIES for p in f.path_prefixes]
    ids = [o.operation_id for f in FAMILIES for o in f.operations]
    assert len(set(names)) == len(names)
    assert len(set(prefixes)) == len(prefixes)
    assert len(set(ids)) == len(ids)
    assert all(not p.startswith("/_emulator") for p in prefixes)

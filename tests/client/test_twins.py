"""`TwoFactor` is generated from `AsyncTwoFactor` (scripts/unasync_clients.py); this is the floor
under that: every public method of each client and group has the same signature and docstring on
both sides, and is a coroutine function exactly on the async side."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import pytest
from datatechlabs import AsyncDatatechlabs, Datatechlabs
from datatechlabs import aio as datatechlabs_aio
from datatechlabs import client as datatechlabs_client
from sms_common.aio import AsyncBaseClient
from sms_common.client import BaseClient
from tata_smart2fa import AsyncSmart2fa, Smart2fa
from twofactor import AsyncTwoFactor, TwoFactor

API_KEY = "twins-0000-key"
# Names that differ only because one side is async (the same table as the generator's, written out).
SYNC_NAME = {"aclose": "close", "__aenter__": "__enter__", "__aexit__": "__exit__"}


def _public_methods(cls: type) -> dict[str, Any]:
    methods = {}
    for name, member in inspect.getmembers(cls, inspect.isfunction):
        if name.startswith("_") and name not in SYNC_NAME and name not in ("__init__", "__enter__", "__exit__"):
            continue
        methods[SYNC_NAME.get(name, name)] = member
    return methods


def _plain(annotation: str) -> str:
    """An annotation with the async spellings made sync (`AsyncBaseTransport` -> `BaseTransport`)."""
    return re.sub(r"\bAsync(?=[A-Z])", "", str(annotation))


def _signature(function: Any) -> list[tuple[str, str, str, str]]:
    signature = inspect.signature(function)
    params = [(p.name, str(p.kind), repr(p.default), _plain(p.annotation)) for p in signature.parameters.values()]
    return [*params, ("return", "", "", _plain(signature.return_annotation))]


def _pairs() -> Iterator[tuple[str, type, type]]:
    sync_client = TwoFactor(API_KEY)
    async_client = AsyncTwoFactor(API_KEY)
    yield "client", TwoFactor, AsyncTwoFactor
    yield "base", BaseClient, AsyncBaseClient
    for group in ("otp", "voice", "sms", "bulk", "encrypted"):
        yield group, type(getattr(sync_client, group)), type(getattr(async_client, group))
    sync_client.close()
    yield "tata_smart2fa", Smart2fa, AsyncSmart2fa
    yield "datatechlabs", Datatechlabs, AsyncDatatechlabs
    yield "datatechlabs.sms", datatechlabs_client.Sms, datatechlabs_aio.AsyncSms


PAIRS = list(_pairs())


@pytest.mark.parametrize(("name", "sync_cls", "async_cls"), PAIRS, ids=[name for name, _, _ in PAIRS])
def test_every_public_method_has_the_same_signature_and_docstring(name: str, sync_cls: type, async_cls: type) -> None:
    sync_methods, async_methods = _public_methods(sync_cls), _public_methods(async_cls)
    assert sync_methods and sync_methods.keys() == async_methods.keys()
    assert inspect.getdoc(sync_cls) == inspect.getdoc(async_cls)
    for method, sync_fn in sync_methods.items():
        async_fn = async_methods[method]
        assert _signature(sync_fn) == _signature(async_fn), f"{name}.{method}"
        assert inspect.getdoc(sync_fn) == inspect.getdoc(async_fn), f"{name}.{method}"
        assert not inspect.iscoroutinefunction(sync_fn), f"{name}.{method} is async on the sync client"
        if method not in ("__init__", "__repr__"):
            assert inspect.iscoroutinefunction(async_fn), f"{name}.{method} is not async on the async client"


def test_the_groups_are_the_same_on_both_clients() -> None:
    sync_client, async_client = TwoFactor(API_KEY), AsyncTwoFactor(API_KEY)
    try:
        groups = {name for name, value in vars(sync_client).items() if not name.startswith("_")}
        assert groups == {name for name, value in vars(async_client).items() if not name.startswith("_")}
        assert groups == {"otp", "voice", "sms", "bulk", "encrypted"}
    finally:
        sync_client.close()

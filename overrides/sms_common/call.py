"""`Call`: one request of a provider client, described once for its sync and its async client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx

from .retries import Kind

__all__ = ["Call"]

T = TypeVar("T")


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request: its operationId, how safe it is to repeat, how to build it, how to read the reply.

    `build` returns the keyword arguments of `httpx.Client.request` (the generated endpoint module's
    `request_kwargs`); it is called once per attempt, since a request body is a stream one attempt
    consumes. The request may hold a credential, so neither it nor `build` appears in repr().
    """

    operation: str
    kind: Kind
    build: Callable[[], dict[str, Any]] = field(repr=False)
    read: Callable[[httpx.Response], T] = field(repr=False)

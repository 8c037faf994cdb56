"""The literal-first router picks exactly the route Starlette's in-order scan would pick."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import Match
from twofactor_emulator.core.routing import LiteralFirstRouter
from twofactor_emulator.testing import create_app

from .conftest import CONFIG

APP = create_app(config=CONFIG)
ROUTER = APP.router
LITERALS = sorted({s for route in APP.routes for s in route.path.split("/") if s and "{" not in s})
segment = st.one_of(st.sampled_from(LITERALS), st.sampled_from(["+919999999999", "12345", "OTP1", "x", ""]))


def scanned(method: str, path: str) -> object:
    """What Starlette's own scan chooses: the first FULL match, else the first PARTIAL one."""
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b"", "headers": []}
    partial = None
    for route in APP.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
        if match is Match.PARTIAL and partial is None:
            partial = route
    return partial


def test_the_app_uses_the_literal_first_router() -> None:
    assert isinstance(ROUTER, LiteralFirstRouter)
    assert ROUTER._by_length, "every route has a plain signature, so the index is in use"


@settings(max_examples=500, deadline=None)
@given(segments=st.lists(segment, min_size=1, max_size=7), method=st.sampled_from(["GET", "POST", "PUT"]))
def test_shortcut_agrees_with_the_scan(segments: list[str], method: str) -> None:
    path = "/" + "/".join(segments)
    candidate = ROUTER._candidate(path)
    chosen = scanned(method, path)
    if candidate is not None:
        scope = {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b"", "headers": []}
        if candidate.matches(scope)[0] is Match.FULL:
            assert candidate is chosen  # the shortcut's answer is the scan's answer


@settings(max_examples=500, deadline=None)
@given(
    template=st.sampled_from([route.path for route in APP.routes]),
    values=st.lists(segment, min_size=6, max_size=6),
    method=st.sampled_from(["GET", "POST", "HEAD", "DELETE"]),
)
def test_shortcut_agrees_on_paths_shaped_like_routes(template: str, values: list[str], method: str) -> None:
    # Parameters filled with literals of other routes ("AUTOGEN", "VERIFY"...) exercise the precedence.
    parts = iter(values)
    path = "/".join(next(parts) if s.startswith("{") else s for s in template.split("/"))
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b"", "headers": []}
    candidate = ROUTER._candidate(path)
    # When the shortcut does not find a FULL match it stands aside and Starlette's scan decides.
    if candidate is not None and candidate.matches(scope)[0] is Match.FULL:
        assert candidate is scanned(method, path)

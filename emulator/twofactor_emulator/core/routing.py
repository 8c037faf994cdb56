"""Starlette's router with a shortcut: find the route by its literal path segments first.

Starlette tries every route's regex in order until one matches, and the emulator has about thirty
routes. This router indexes the routes by segment count and literal segments, so a request costs one
regex match instead of up to thirty. The order of `routes` is kept, so the first route that could
match is still the one chosen (the document's "Route precedence"); anything the shortcut does not
settle (a method the route does not serve, no route at all) goes to Starlette's own scan, which
answers 405 and 404 exactly as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette._utils import get_route_path  # private, but it is what Router.app itself uses
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send

Signature = tuple[str | None, ...]  # a path's segments: the literal text, or None for a parameter


def _signature(path: str) -> Signature | None:
    segments = path.split("/")
    if any("{" in s and not (s.startswith("{") and s.endswith("}") and ":" not in s) for s in segments):
        return None  # a convertor or a partial segment: leave the route to Starlette's scan
    return tuple(None if s.startswith("{") else s for s in segments)


class LiteralFirstRouter(Router):
    """A `Router` that finds the candidate route by literal segments before matching regexes."""

    def __init__(self, routes: Sequence[BaseRoute], **kwargs: object) -> None:
        super().__init__(routes, **kwargs)  # type: ignore[arg-type]
        self._by_length: dict[int, list[tuple[Signature, BaseRoute]]] = {}
        for route in self.routes:
            signature = _signature(route.path) if isinstance(route, Route) else None
            if signature is None:
                self._by_length.clear()  # a route the index cannot describe: always scan, keeping the order
                break
            self._by_length.setdefault(len(signature), []).append((signature, route))

    def _candidate(self, path: str) -> BaseRoute | None:
        segments = path.split("/")
        for signature, route in self._by_length.get(len(segments), ()):
            if all(s if literal is None else literal == s for literal, s in zip(signature, segments, strict=True)):
                return route
        return None

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch to the first route whose literal segments fit, else do what Starlette does."""
        if scope["type"] == "http" and self._by_length:
            route = self._candidate(get_route_path(scope))
            if route is not None:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.setdefault("router", self)
                    scope["route"] = route
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
        await super().app(scope, receive, send)

"""API Gateway HTTP API route selection over shared.resources.ROUTES, as API Gateway does it."""

from __future__ import annotations

from dataclasses import dataclass

from shared import resources


@dataclass(frozen=True)
class RouteMatch:
    route: resources.RouteDef
    route_key: str
    path_params: dict[str, str]


def _match_path(pattern: str, path: str) -> dict[str, str] | None:
    want = pattern.strip("/").split("/")
    got = path.strip("/").split("/")
    params: dict[str, str] = {}
    for i, seg in enumerate(want):
        if seg.endswith("+}"):
            rest = got[i:]
            if not rest or rest == [""]:
                return None
            params[seg[1:-2]] = "/".join(rest)
            return params
        if i >= len(got):
            return None
        if seg.startswith("{") and seg.endswith("}"):
            if not got[i]:
                return None
            params[seg[1:-1]] = got[i]
        elif seg != got[i]:
            return None
    return params if len(got) == len(want) else None


def _specificity(route: resources.RouteDef) -> tuple[int, int, int, int]:
    """API Gateway prefers exact paths, then more literal segments, then greedy last; a method over ANY."""
    segs = route.path.strip("/").split("/")
    greedy = any(s.endswith("+}") for s in segs)
    literals = sum(1 for s in segs if not s.startswith("{"))
    return (0 if greedy else 1, literals, len(segs), 0 if route.method == "ANY" else 1)


def match(method: str, path: str, routes: tuple[resources.RouteDef, ...] = resources.ROUTES) -> RouteMatch | None:
    """Pick the route API Gateway would pick for this request, or the $default route."""
    candidates: list[tuple[tuple[int, int, int, int], resources.RouteDef, dict[str, str]]] = []
    default: resources.RouteDef | None = None
    for route in routes:
        if route.path == "$default":
            default = route
            continue
        if route.method not in ("ANY", method):
            continue
        params = _match_path(route.path, path)
        if params is not None:
            candidates.append((_specificity(route), route, params))
    if candidates:
        _, best, params = max(candidates, key=lambda c: c[0])
        return RouteMatch(best, f"{best.method} {best.path}", params)
    if default is not None:
        return RouteMatch(default, "$default", {})
    return None

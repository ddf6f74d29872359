"""Route selection matches API Gateway's: exact over parameterised over greedy, then $default."""

import pytest

from local.routing import match
from shared.resources import RouteDef

ROUTES = (
    RouteDef("GET", "/api/health", "health"),
    RouteDef("ANY", "/api/collections/{collection}/records", "records"),
    RouteDef("ANY", "/api/collections/{collection}/records/{proxy+}", "records_item"),
    RouteDef("ANY", "/api/collections/{proxy+}", "collections"),
    RouteDef("POST", "/api/collections/{collection}/auth-with-password", "auth"),
    RouteDef("ANY", "$default", "fallback"),
)


@pytest.mark.parametrize(("method", "path", "function", "params"), [
    ("GET", "/api/health", "health", {}),
    ("POST", "/api/health", "fallback", {}),
    ("GET", "/api/collections/posts/records", "records", {"collection": "posts"}),
    ("PATCH", "/api/collections/posts/records/abc", "records_item", {"collection": "posts", "proxy": "abc"}),
    ("POST", "/api/collections/users/auth-with-password", "auth", {"collection": "users"}),
    ("GET", "/api/collections/users/auth-methods", "collections", {"proxy": "users/auth-methods"}),
    ("GET", "/nope", "fallback", {}),
])
def test_route_selection(method: str, path: str, function: str, params: dict[str, str]) -> None:
    # When a request is routed
    found = match(method, path, ROUTES)
    # Then the most specific route wins, with API Gateway's path parameters
    assert found is not None
    assert found.route.function == function
    assert found.path_params == params


def test_no_default_route_means_no_match() -> None:
    assert match("GET", "/x", ROUTES[:1]) is None

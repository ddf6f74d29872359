"""A small HTTP client and table-driven scenario runner for the collections and records API suites."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from string import Template
from typing import Any

import httpx

from tests.support.in_process import client_for

SUPERUSER_EMAIL = "root@example.com"
SUPERUSER_PASSWORD = "Root-pass-1234567"
USER_PASSWORD = "User-pass-1234567"

# Roles a scenario may act as; "superuser", "user" and "user2" are signed in once per Api.
GUEST = "guest"


def unique(prefix: str) -> str:
    """A collection name no other test uses: `posts_1a2b3c4d`."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


class Api:
    """The local stack's REST API, with a token per role; in-process when an in-process stack serves `url`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = client_for(url) or httpx.Client(base_url=url, timeout=30)
        self.tokens: dict[str, str] = {}
        self.users: dict[str, dict[str, Any]] = {}

    def sign_in_superuser(self) -> Api:
        response = self.http.post("/api/collections/_superusers/auth-with-password",
                                  json={"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD})
        assert response.status_code == 200, response.text
        self.tokens["superuser"] = response.json()["token"]
        return self

    def sign_up_user(self, role: str) -> dict[str, Any]:
        """Create a `users` record (its createRule is "") and sign it in as `role`."""
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        created = self.request("POST", "/api/collections/users/records", role=GUEST, json={
            "email": email, "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD, "name": role})
        assert created.status_code == 200, created.text
        signed = self.http.post("/api/collections/users/auth-with-password",
                                json={"identity": email, "password": USER_PASSWORD})
        assert signed.status_code == 200, signed.text
        self.tokens[role] = signed.json()["token"]
        self.users[role] = signed.json()["record"]
        return self.users[role]

    def headers_for(self, role: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if role != GUEST:
            headers.setdefault("Authorization", self.tokens[role])
        return headers

    def request(self, method: str, path: str, *, role: str = "superuser", headers: Mapping[str, str] | None = None,
                **kwargs: Any) -> httpx.Response:
        return self.http.request(method, path, headers=self.headers_for(role, headers), **kwargs)

    def ok(self, method: str, path: str, *, status: int = 200, **kwargs: Any) -> Any:
        """Send and assert the status; the JSON body (None for 204)."""
        response = self.request(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def create_collection(self, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.ok("POST", "/api/collections", json=body))

    def create_record(self, collection: str, body: dict[str, Any], role: str = "superuser") -> dict[str, Any]:
        return dict(self.ok("POST", f"/api/collections/{collection}/records", json=body, role=role))

    def list_records(self, collection: str, role: str = "superuser", **params: Any) -> dict[str, Any]:
        return dict(self.ok("GET", f"/api/collections/{collection}/records", params=params, role=role))

    def wait_total(self, collection: str, expected: int, timeout: float = 10.0) -> dict[str, Any]:
        """Poll an unfiltered list until its counter-backed totalItems settles on `expected`."""
        deadline = time.monotonic() + timeout
        while True:
            # until the stream consumer has written the counter, the total is counted (and may hit the budget)
            response = self.request("GET", f"/api/collections/{collection}/records", params={"perPage": 1})
            page = response.json() if response.status_code == 200 else {"totalItems": None}
            if page["totalItems"] == expected or time.monotonic() > deadline:
                return dict(page)
            time.sleep(0.1)

    def wait_index_ready(self, collection: str, index: str, timeout: float = 60.0) -> dict[str, Any]:
        """Poll the collection until the jobs function has built `index`: its `indexStates` entry is no longer
        building (with every index ready the collection JSON has no `indexStates`, as PocketBase's)."""
        deadline = time.monotonic() + timeout
        while True:
            states = self.ok("GET", f"/api/collections/{collection}").get("indexStates")
            state = next((s for s in states if s["name"] == index), None) if states else None
            if state is None:
                return {"name": index, "state": "ready", "ready": True}
            if state["state"] != "building":
                return dict(state)
            assert time.monotonic() < deadline, f"index {index} still building after {timeout} s"
            time.sleep(0.2)


# Subset matching ----------------------------------------------------------------------------------------------

class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()  # the key must not be in the object
ANY: Any = object()  # any value, but the key must be present


@dataclass(frozen=True)
class Where:
    """A predicate on a value, with a description for failure messages."""

    test: Callable[[Any], bool]
    description: str

    def __repr__(self) -> str:
        return self.description


def length(n: int) -> Where:
    return Where(lambda v: isinstance(v, (list, str, dict)) and len(v) == n, f"length {n}")


def matches(actual: Any, expected: Any, path: str = "$") -> list[str]:
    """Where `actual` differs from `expected` (dicts: a subset; lists: same length, element-wise)."""
    if expected is ANY:
        return []
    if isinstance(expected, Where):
        return [] if expected.test(actual) else [f"{path}: {actual!r} is not {expected!r}"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        problems = []
        for key, value in expected.items():
            if value is ABSENT:
                if key in actual:
                    problems.append(f"{path}.{key}: should be absent, is {actual[key]!r}")
            elif key not in actual:
                problems.append(f"{path}.{key}: missing")
            else:
                problems.extend(matches(actual[key], value, f"{path}.{key}"))
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items, got {actual!r}"]
        return [p for i, (a, e) in enumerate(zip(actual, expected, strict=True)) for p in matches(a, e, f"{path}[{i}]")]
    if _is_number(actual) and _is_number(expected):
        return [] if actual == expected else [f"{path}: {actual!r} != {expected!r}"]
    return [] if actual == expected and type(actual) is type(expected) else [f"{path}: {actual!r} != {expected!r}"]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def assert_matches(actual: Any, expected: Any, context: str = "") -> None:
    problems = matches(actual, expected)
    assert not problems, f"{context}\n" + "\n".join(problems) + f"\nactual: {json.dumps(actual)[:3000]}"


# Scenarios -----------------------------------------------------------------------------------------------------

@dataclass
class Scenario:
    """One API call and what it must answer; `${name}` in url, params, headers and body is substituted."""

    name: str
    method: str
    url: str
    status: int = 200
    expect: Any = None
    body: Any = None
    params: dict[str, Any] | None = None
    role: str = "superuser"
    headers: dict[str, str] | None = None
    # multipart form fields (lists repeat the key); sent instead of a JSON body
    form: dict[str, Any] | None = None
    raw: bytes | None = None
    check: Callable[[httpx.Response], None] | None = None
    response_headers: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


def substitute(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return Template(value).safe_substitute(names)
    if isinstance(value, dict):
        return {substitute(k, names): substitute(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, names) for v in value]
    return value


def _multipart(form: dict[str, Any]) -> list[tuple[str, tuple[None, bytes]]]:
    parts = []
    for key, value in form.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append((key, (None, str(item).encode())))
    return parts


def run(api: Api, scenario: Scenario, names: Mapping[str, str] | None = None) -> httpx.Response:
    """Send the scenario's request and check status, body subset and headers."""
    names = names or {}
    kwargs: dict[str, Any] = {"params": substitute(scenario.params, names)}
    headers = substitute(scenario.headers or {}, names)
    if scenario.form is not None:
        kwargs["files"] = _multipart(substitute(scenario.form, names))
    elif scenario.raw is not None:
        kwargs["content"] = scenario.raw
        headers.setdefault("Content-Type", "application/json")
    elif scenario.body is not None:
        kwargs["json"] = substitute(scenario.body, names)
    response = api.request(scenario.method, substitute(scenario.url, names), role=scenario.role, headers=headers,
                           **kwargs)
    context = f"{scenario.name}: {scenario.method} {scenario.url} -> {response.status_code} {response.text[:2000]}"
    assert response.status_code == scenario.status, context
    if scenario.expect is not None:
        assert_matches(response.json(), substitute(scenario.expect, names), context)
    for header, expected in scenario.response_headers.items():
        actual = response.headers.get(header)
        assert_matches(actual, expected, f"{context}\nheader {header}")
    if scenario.check is not None:
        scenario.check(response)
    return response


def ids(scenarios: list[Scenario]) -> Iterator[str]:
    return (s.name for s in scenarios)


def error(status: int, message: Any = ANY, data: Any = None) -> dict[str, Any]:
    """PocketBase's error shape; `data` as a subset when given."""
    return {"status": status, "message": message, "data": data if data is not None else ANY}


def field_error(code: str) -> dict[str, Any]:
    return {"code": code, "message": ANY}

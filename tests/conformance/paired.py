"""A client of both servers at once: one request goes to each side, with each side's own tokens and ids."""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from string import Template
from typing import Any

import httpx

from tests.conformance.normalize import IdNames
from tests.conformance.servers import SUPERUSER_EMAIL, SUPERUSER_PASSWORD

GUEST = "guest"
SUPERUSER = "superuser"
# A password both sides accept: PocketBase wants 8+ chars, Lambdabase also a good zxcvbn score.
USER_PASSWORD = "Violet-Harbor-Lantern-77"
SIDES = ("pb", "lb")


@dataclass
class Side:
    """One server: its HTTP client, a token per role, and its ids under the names the world gave them."""

    name: str
    http: httpx.Client
    tokens: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # world name -> this side's id
    ids: IdNames = field(default_factory=IdNames)

    def remember(self, name: str, value: str) -> None:
        self.values[name] = value
        self.ids.name(value, f"<{name}>")

    def fill(self, value: Any) -> Any:
        """Replace `${name}` placeholders with this side's ids, anywhere in a path, params or body."""
        if isinstance(value, str):
            return Template(value).safe_substitute(self.values)
        if isinstance(value, dict):
            return {self.fill(k): self.fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        return value


@dataclass
class Pair:
    pb: httpx.Response
    lb: httpx.Response

    def json(self) -> tuple[Any, Any]:
        return self.pb.json(), self.lb.json()


class PairedClient:
    """Sends every request to PocketBase and to Lambdabase, as the same role."""

    def __init__(self, pb_url: str, lb_url: str) -> None:
        self.sides = {"pb": Side("pb", httpx.Client(base_url=pb_url, timeout=30)),
                      "lb": Side("lb", httpx.Client(base_url=lb_url, timeout=30))}
        # both sides answer at once: a scenario costs the slower side's latency, not the sum
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="paired")

    @property
    def pb(self) -> Side:
        return self.sides["pb"]

    @property
    def lb(self) -> Side:
        return self.sides["lb"]

    def close(self) -> None:
        self.pool.shutdown()
        for side in self.sides.values():
            side.http.close()

    def send(self, method: str, path: str, *, role: str = SUPERUSER, json: Any = None,
             params: Mapping[str, Any] | None = None, content: bytes | None = None,
             headers: Mapping[str, str] | None = None) -> Pair:
        def one(side: Side) -> httpx.Response:
            sent_headers = dict(side.fill(dict(headers or {})))
            if role != GUEST:
                sent_headers.setdefault("Authorization", side.tokens[role])
            kwargs: dict[str, Any] = {"params": side.fill(dict(params)) if params is not None else None,
                                      "headers": sent_headers}
            if content is not None:
                kwargs["content"] = content
            elif json is not None:
                kwargs["json"] = side.fill(json)
            return side.http.request(method, side.fill(path), **kwargs)

        pb, lb = self.pool.map(one, (self.pb, self.lb))
        return Pair(pb, lb)

    def ok(self, method: str, path: str, **kwargs: Any) -> tuple[Any, Any]:
        """Send, require success on both sides (world building), and return both JSON bodies."""
        pair = self.send(method, path, **kwargs)
        for name, response in (("pb", pair.pb), ("lb", pair.lb)):
            assert response.status_code < 300, f"{name} {method} {path}: {response.status_code} {response.text}"
        return (pair.pb.json() if pair.pb.content else None, pair.lb.json() if pair.lb.content else None)

    # World building ----------------------------------------------------------------------------------------

    def sign_in_superuser(self) -> None:
        pb, lb = self.ok("POST", "/api/collections/_superusers/auth-with-password", role=GUEST,
                         json={"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD})
        for side, body in ((self.pb, pb), (self.lb, lb)):
            side.tokens[SUPERUSER] = body["token"]
            side.remember("superuser_id", body["record"]["id"])

    def sign_up(self, role: str, collection: str = "users", **fields: Any) -> None:
        """Create an auth record on both sides (as a guest) and sign it in as `role`; its id is `${role}`."""
        email = f"{role}@example.com"
        self.ok("POST", f"/api/collections/{collection}/records", role=GUEST, json={
            "email": email, "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD, **fields})
        pb, lb = self.ok("POST", f"/api/collections/{collection}/auth-with-password", role=GUEST,
                         json={"identity": email, "password": USER_PASSWORD})
        for side, body in ((self.pb, pb), (self.lb, lb)):
            side.tokens[role] = body["token"]
            side.remember(role, body["record"]["id"])

    def create_collection(self, body: dict[str, Any]) -> None:
        """Create a collection on both sides; its id is `${col_<name>}`."""
        pb, lb = self.ok("POST", "/api/collections", json=body)
        self.pb.remember(f"col_{body['name']}", pb["id"])
        self.lb.remember(f"col_{body['name']}", lb["id"])

    def create_record(self, collection: str, name: str, body: dict[str, Any], role: str = SUPERUSER) -> None:
        """Create a record on both sides; its id is `${name}` and is shown as `<name>`."""
        pb, lb = self.ok("POST", f"/api/collections/{collection}/records", json=body, role=role)
        self.pb.remember(name, pb["id"])
        self.lb.remember(name, lb["id"])

    def settle(self, collection: str, timeout: float = 30.0) -> None:
        """Wait until Lambdabase's counter-backed unfiltered totalItems matches PocketBase's (it lags writes)."""
        deadline = time.monotonic() + timeout
        path = f"/api/collections/{collection}/records"
        expected = self.pb.http.get(path, params={"perPage": 1},
                                    headers={"Authorization": self.pb.tokens[SUPERUSER]}).json()["totalItems"]
        while time.monotonic() < deadline:
            got = self.lb.http.get(path, params={"perPage": 1}, headers={"Authorization": self.lb.tokens[SUPERUSER]})
            if got.status_code == 200 and got.json().get("totalItems") == expected:
                return
            time.sleep(0.05)

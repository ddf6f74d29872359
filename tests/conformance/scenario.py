"""A scenario table row, and the comparison of both sides' answers to it."""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conformance.normalize import as_text, normalize, parse
from tests.conformance.paired import SUPERUSER, Pair, PairedClient


@dataclass(frozen=True)
class Case:
    """One request, sent as `role` to both sides; `${name}` anywhere is replaced by that side's id of `name`."""

    name: str
    method: str
    path: str
    role: str = SUPERUSER
    body: Any = None
    params: dict[str, Any] | None = None
    raw: bytes | None = None  # sent as is instead of a JSON body
    headers: dict[str, str] | None = None
    unordered: tuple[str, ...] = ()  # dotted paths of lists compared as sets
    differs: str | None = None  # what Lambdabase answers differently today, in one line
    # A deliberate difference (docs/compatibility.md): Lambdabase's documented message, which may go on with a
    # detail; status and the {status, message, data} shape still have to match (see `check_deliberate`).
    deliberate: str | None = None


def cases(*rows: Case) -> list[Any]:
    """pytest params, one per row; a row that `differs` is a strict xfail, so fixing it forces removing the mark."""
    return [pytest.param(row, id=row.name,
                         marks=[pytest.mark.xfail(strict=True, reason=row.differs)] if row.differs else [])
            for row in rows]


def exchange(client: PairedClient, case: Case) -> Pair:
    return client.send(case.method, case.path, role=case.role, json=case.body, params=case.params,
                       content=case.raw, headers=case.headers)


def comparable(client: PairedClient, pair: Pair, unordered: Iterable[str] = ()) -> tuple[Any, Any]:
    """Both answers as (status, normalized body), PocketBase first."""
    paths = tuple(unordered)
    pb_body = parse(pair.pb.content, pair.pb.headers.get("content-type"))
    lb_body = parse(pair.lb.content, pair.lb.headers.get("content-type"))
    return ((pair.pb.status_code, normalize(pb_body, client.pb.ids, unordered=paths)),
            (pair.lb.status_code, normalize(lb_body, client.lb.ids, reference=pb_body, unordered=paths)))


def check(client: PairedClient, case: Case) -> Pair:
    """Send the case to both sides and fail with a readable diff unless status and normalized body agree."""
    if case.deliberate is not None:
        return check_deliberate(client, case)
    pair = exchange(client, case)
    pb, lb = comparable(client, pair, case.unordered)
    if pb != lb:
        _report(case, pair, pb, lb)
        diff = "\n".join(difflib.unified_diff(as_text(pb).splitlines(), as_text(lb).splitlines(),
                                              "pocketbase", "lambdabase", lineterm="", n=2))
        pytest.fail(f"{case.method} {case.path} as {case.role}: answers differ\n{diff}", pytrace=False)
    return pair


ERROR_KEYS = {"status", "message", "data"}


def check_deliberate(client: PairedClient, case: Case) -> Pair:
    """A documented error difference: the same status and error shape on both sides, Lambdabase's message as
    documented, and wherever PocketBase's `data` names fields and codes, Lambdabase's names the same ones
    (only their message texts may differ); where PocketBase's `data` is empty, ours may explain."""
    assert case.deliberate is not None
    pair = exchange(client, case)
    pb, lb = comparable(client, pair, case.unordered)
    try:
        assert pb[0] == lb[0] and pb[0] >= 400, f"status: pocketbase {pb[0]}, lambdabase {lb[0]}"
        for side, (status, body) in (("pocketbase", pb), ("lambdabase", lb)):
            assert isinstance(body, dict) and set(body) == ERROR_KEYS, f"{side} is not an error shape: {body}"
            assert body["status"] == status and isinstance(body["data"], dict), f"{side}: {body}"
        assert lb[1]["message"].startswith(case.deliberate), f"lambdabase's message: {lb[1]['message']!r}"
        if pb[1]["data"]:
            assert _codes(lb[1]["data"]) == _codes(pb[1]["data"]), f"data: {pb[1]['data']} vs {lb[1]['data']}"
    except AssertionError as exc:
        _report(case, pair, pb, lb)
        pytest.fail(f"{case.method} {case.path} as {case.role}: deliberate difference broken: {exc}", pytrace=False)
    return pair


def _codes(data: Any) -> Any:
    """Error data without its human texts: the field paths and codes that a client acts on."""
    if isinstance(data, dict):
        return {k: _codes(v) for k, v in data.items() if k != "message"}
    return data


def _report(case: Case, pair: Pair, pb: Any, lb: Any) -> None:
    """With LB_CONFORMANCE_LOG set, append each mismatch as a JSON line (raw material for the diffs list)."""
    target = os.environ.get("LB_CONFORMANCE_LOG")
    if not target:
        return
    with open(target, "a") as log:
        log.write(json.dumps({"case": case.name, "method": case.method, "path": case.path, "role": case.role,
                              "body": case.body, "params": case.params, "differs": case.differs,
                              "deliberate": case.deliberate,
                              "pb": pb, "lb": lb}) + "\n")

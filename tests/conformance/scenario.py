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
    pair = exchange(client, case)
    pb, lb = comparable(client, pair, case.unordered)
    if pb != lb:
        _report(case, pair, pb, lb)
        diff = "\n".join(difflib.unified_diff(as_text(pb).splitlines(), as_text(lb).splitlines(),
                                              "pocketbase", "lambdabase", lineterm="", n=2))
        pytest.fail(f"{case.method} {case.path} as {case.role}: answers differ\n{diff}", pytrace=False)
    return pair


def _report(case: Case, pair: Pair, pb: Any, lb: Any) -> None:
    """With LB_CONFORMANCE_LOG set, append each mismatch as a JSON line (raw material for the diffs list)."""
    target = os.environ.get("LB_CONFORMANCE_LOG")
    if not target:
        return
    with open(target, "a") as log:
        log.write(json.dumps({"case": case.name, "method": case.method, "path": case.path, "role": case.role,
                              "body": case.body, "params": case.params, "differs": case.differs,
                              "pb": pb, "lb": lb}) + "\n")

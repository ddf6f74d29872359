"""Conformance of `GET /api/collections/meta/scaffolds`: the blank collection of each type, and who may ask."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check

SCAFFOLDS = "/api/collections/meta/scaffolds"
# Both servers name a blank collection's indexes `idx_<field>_<10 random characters>`.
_RANDOM_INDEX_SUFFIX = re.compile(r"`idx_(\w+?)_[a-z0-9]{10}`")

REFUSED = cases(
    Case("scaffolds as guest", "GET", SCAFFOLDS, role=GUEST),
    Case("scaffolds as a user", "GET", SCAFFOLDS, role="alice"),
)


def _without_random_names(body: dict[str, Any]) -> dict[str, Any]:
    for scaffold in body.values():
        scaffold["indexes"] = [_RANDOM_INDEX_SUFFIX.sub(r"`idx_\1_<random>`", index) for index in scaffold["indexes"]]
    return body


@pytest.mark.parametrize("case", REFUSED)
def test_scaffolds_refused(paired: PairedClient, case: Case) -> None:
    # Given a caller who is no superuser, When it asks for the scaffolds, Then both servers refuse alike
    check(paired, case)


def test_scaffolds_as_superuser(paired: PairedClient) -> None:
    # Given a superuser, When it asks both servers for the scaffolds
    pair = paired.send("GET", SCAFFOLDS)
    # Then both answer 200 with the same blank base, auth and view collections, key for key and in order (the
    # order of the three types is not compared: PocketBase's varies from one request to the next)
    assert (pair.pb.status_code, pair.lb.status_code) == (200, 200)
    pb, lb = (_without_random_names(body) for body in pair.json())
    assert sorted(lb) == sorted(pb) == ["auth", "base", "view"]
    for kind in pb:
        assert list(lb[kind]) == list(pb[kind]), kind
        assert lb[kind] == pb[kind], kind

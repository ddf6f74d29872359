"""Conformance of `@request.body` in create and update rules, with its modifiers (:isset, :length, :each, :lower,
:changed), the any-of operators and numbers, as a guest (superusers bypass rules)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check

RULES = {
    "isset": ("@request.body.title:isset = true", "@request.body.title:isset = false"),
    "length": ("@request.body.tags:length <= 2", "@request.body.tags:length = 0"),
    "each": ('@request.body.tags:each != "c"', '@request.body.tags:each ~ "a"'),
    "anyof": ('@request.body.tags ?= "a"', '@request.body.tags ?!= "b"'),
    "lower": ('@request.body.title:lower = "hello"', '@request.body.title:lower != "bye"'),
    "changed": ("@request.body.status:changed = false", "@request.body.status:changed = false"),
    "number": ("@request.body.n > 5", "@request.body.n:isset = false || @request.body.n < 3"),
    "missing": ('@request.body.nope = ""', '@request.body.nope:isset = false'),
    "relation": ('@request.body.owner.name = "Alice"', '@request.body.owner:isset = false || '
                                                        '@request.body.owner.name != "Bob"'),
}


def create(rule: str, name: str, body: Any) -> Case:
    return Case(f"{rule}: create {name}", "POST", f"/api/collections/body_{rule}/records", role=GUEST, body=body)


def update(rule: str, name: str, body: Any) -> Case:
    return Case(f"{rule}: update {name}", "PATCH", f"/api/collections/body_{rule}/records/${{body_{rule}_rec}}",
                role=GUEST, body=body)


CASES = cases(
    create("isset", "with the title", {"title": "x"}),
    create("isset", "without the title", {"n": 1}),
    create("isset", "with a null title", {"title": None}),
    update("isset", "with the title", {"title": "y"}),
    update("isset", "without the title", {"n": 2}),
    create("length", "two tags", {"tags": ["a", "b"]}),
    create("length", "three tags", {"tags": ["a", "b", "c"]}),
    create("length", "no tags", {"tags": []}),
    create("length", "a single tag as text", {"tags": "a"}),
    update("length", "emptying the tags", {"tags": []}),
    update("length", "setting a tag", {"tags": ["a"]}),
    create("each", "without c", {"tags": ["a", "b"]}),
    create("each", "with c", {"tags": ["a", "c"]}),
    create("each", "with no tags", {"tags": []}),
    update("each", "all containing a", {"tags": ["a"]}),
    update("each", "one without a", {"tags": ["a", "b"]}),
    create("anyof", "with a", {"tags": ["b", "a"]}),
    create("anyof", "without a", {"tags": ["b", "c"]}),
    update("anyof", "with b", {"tags": ["a", "b"]}),
    update("anyof", "without b", {"tags": ["a", "c"]}),
    create("lower", "mixed case", {"title": "HeLLo"}),
    create("lower", "another word", {"title": "bye"}),
    update("lower", "to bye in capitals", {"title": "BYE"}),
    update("lower", "to something else", {"title": "fine"}),
    update("changed", "with the same status", {"status": "draft"}),
    update("changed", "with another status", {"status": "published"}),
    update("changed", "without the status", {"title": "t"}),
    create("number", "above", {"n": 7}),
    create("number", "below", {"n": 3}),
    create("number", "as numeric text", {"n": "7"}),
    update("number", "without n", {"title": "t"}),
    update("number", "with a small n", {"n": 1}),
    update("number", "with a large n", {"n": 9}),
    create("missing", "a key the body lacks", {"title": "t"}),
    update("missing", "a key the body lacks", {"title": "u"}),
    update("missing", "the key sent", {"nope": "x"}),
    create("relation", "owned by alice", {"owner": "${alice}"}),
    create("relation", "owned by bob", {"owner": "${bob}"}),
    create("relation", "without an owner", {"title": "t"}),
    update("relation", "to bob", {"owner": "${bob}"}),
    update("relation", "to alice", {"owner": "${alice}"}),
)


@pytest.fixture(scope="module", autouse=True)
def world(paired: PairedClient) -> Iterator[None]:
    fields = [{"name": "title", "type": "text"}, {"name": "n", "type": "number"},
              {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
              {"name": "status", "type": "select", "values": ["draft", "published"], "maxSelect": 1},
              {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1}]
    for rule, (create_rule, update_rule) in RULES.items():
        paired.create_collection({"name": f"body_{rule}", "type": "base", "listRule": "", "viewRule": "",
                                  "createRule": create_rule, "updateRule": update_rule, "fields": fields})
        paired.create_record(f"body_{rule}", f"body_{rule}_rec",
                             {"title": "seed", "n": 4, "tags": ["a"], "status": "draft"})
    yield


@pytest.mark.parametrize("case", CASES)
def test_body_rules(paired: PairedClient, case: Case) -> None:
    # Given collections whose create and update rules read the request body, When a guest sends the same body to
    # both, Then both allow or refuse it alike, and answer the same record or error
    check(paired, case)

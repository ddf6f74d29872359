"""Conformance of the filter language: operators, multi-value fields and relations, null/empty, functions,
datetime macros, @request and @collection, and the filter's limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conformance import deliberate
from tests.conformance.paired import GUEST, PairedClient
from tests.conformance.scenario import Case, cases, check

F = "/api/collections/flt_items/records"


def f(expression: str, differs: str | None = None, role: str = "superuser") -> Case:
    """A list filtered by `expression`, sorted by n, showing only titles (so the row set is what compares)."""
    return Case(f"filter {expression[:80]} as {role}", "GET", F, role=role, differs=differs,
                params={"filter": expression, "sort": "n", "fields": "title"})


def bad(expression: str) -> Case:
    """An invalid filter: PocketBase's generic 400, ours the documented detailed one (docs/compatibility.md)."""
    return Case(f"filter {expression[:80]} as superuser", "GET", F, deliberate=deliberate.INVALID_FILTER,
                params={"filter": expression, "sort": "n", "fields": "title"})


CASES = cases(
    f('title = "banana"'),
    f("title = 'banana'"),
    f('title != "banana"'),
    f('title ~ "apple"'),
    f('title !~ "apple"'),
    f('title ~ "App%"'),
    f('title ~ "%e"'),
    f('title > "b"'),
    f("n > 1"), f("n >= 1"), f("n < 1"), f("n <= 0"), f("n = -5.5"), f("n != 0"), f('n = "2"'),
    f("flag = true"), f("flag = false"), f("flag != true"), f("flag = 1"),
    f('tags ?= "a"'),
    f('tags = "a"'),
    f('tags ?!= "a"'),
    f('tags != "a"'),
    f('tags ~ "a"'),
    f('tags ?~ "c"'),
    f("tags:length > 1"), f("tags:length = 0"), f("tags:length >= 3"),
    f('tags:each = "a"'), f('tags:each ?= "c"'), f('tags:each != "z"'),
    f('tags = ""'),
    f('tags != ""'),
    f("tags = null"),
    f('one = "a"'), f('one = ""'), f('one != ""'),
    f('rels.name ?= "r1"'), f('rels.name = "r1"'), f('rels.name ?~ "3"'), f("rels:length = 2"),
    f("rels:length > 0"), f('rels ?= "${r3}"'), f('rels.id ?= "${r1}"'),
    f('rel.name = "r1"'), f('rel = ""'), f("rel = null"), f('rel != ""'), f('rel.name != "r1"'),
    f('rel.rel2.name = "deep"'),
    f('note = ""'),
    f("note = null"),
    f('note != ""'),
    f("n = null"),
    f("meta = null"),
    f('meta != ""'), f('meta = ""'), f("meta.k != ''"), f("meta.k = null"), f("meta = 0"),
    f("meta != null"), f("meta.k != null"), f('meta.missing != ""'), f('meta = "plain"'), f('meta = "[1,2]"'),
    f("meta:length > 0"), f('meta ~ "plain"'), f('meta:lower = "plain"'), f("spot.lat != ''"),
    f("meta.k = meta.k"), f("meta != title"),
    f("meta.k = 1"), f("meta.k > 0"), f('meta.s = "x"'), f("meta.missing = null"),
    f("when < @now"), f("when > @now"), f('when = ""'), f('when != ""'), f("when < @todayStart"),
    f("when >= @yesterday"), bad("when:year > 2050"), f('when > "2001-03-01 00:00:00.000Z"'),
    f('when > "2001-03-01"'),
    f('title:lower = "cherry"'),
    f("@year > 2000"), f("@month >= 1 && @month <= 12"), f("@weekday >= 0"), f("@hour < 24"),
    f("when < @todayEnd"), f("when < @monthStart"), f("when < @yearStart"), f("when < @tomorrow"),
    f("when > @yearEnd"),
    f("rels.num ?> 2"), f("rels.num ?< 2"), f("rels.num ?>= 2"), f("rels.num ?<= 1"), f('rels.name ?!~ "1"'),
    f('rels.name ?!= "r2"'), f("rels.num > 0"),
    f('rel.name:lower = "r1"'), f("rel:length = 1"),
    f("n > 1 && n < 3 || n = -5.5"), f("n != null"), f('title ~ "%"'), f('title ~ "_anana"'),
    f('title ~ "\\%"'), f("n > 1.5"), bad("n >= 1e0"), f("flag = 'true'"), f('title = "Banana"'),
    f('note ~ ""'), f('meta ~ "k"'), f('meta.k ?= 1'), f('spot.lat > 40'),
    f('(n > 1 && n < 4) || title = "date"'),
    f("n > 0 && (flag = true || tags ?= \"c\")"),
    f("title = title"),
    f("n > rel.num"),
    f('@request.auth.id = ""'),
    f('@request.auth.id != ""'),
    f('@request.auth.id = ""', role=GUEST),
    f('@request.auth.collectionName = "_superusers"'),
    f('@collection.flt_refs.name ?= "r1" && rels.id ?= @collection.flt_refs.id'),
    f('@collection.flt_refs:alias.name = "r2" && rel = @collection.flt_refs:alias.id'),
    f('strftime("%Y", when) = "2001"'),
    f("geoDistance(spot.lon, spot.lat, 23.3, 42.7) < 10"),
    f('title = "banana" // a comment'),
    f(""),
    bad("   "),
    bad('title == "banana"'),
    bad('title <> "banana"'),
    bad('title = "unterminated'),
    bad("(n > 1"),
    bad("n >"),
    bad("nope.deep = 1"),
    bad("@request.nope = 1"),
    bad("title = @unknownmacro"),
    bad(" || ".join(f"n = {i}" for i in range(250))),
    bad('title = "' + "x" * 3600 + '"'),
)


@pytest.fixture(scope="module", autouse=True)
def world(paired: PairedClient) -> Iterator[None]:
    paired.create_collection({"name": "flt_deep", "type": "base", "fields": [{"name": "name", "type": "text"}]})
    paired.create_record("flt_deep", "deep1", {"name": "deep"})
    paired.create_collection({"name": "flt_refs", "type": "base", "listRule": "", "fields": [
        {"name": "name", "type": "text"}, {"name": "num", "type": "number"},
        {"name": "rel2", "type": "relation", "collectionId": "${col_flt_deep}"}]})
    for n in (1, 2, 3):
        paired.create_record("flt_refs", f"r{n}", {"name": f"r{n}", "num": n, "rel2": "${deep1}" if n == 1 else ""})
    paired.create_collection({"name": "flt_items", "type": "base", "listRule": "", "fields": [
        {"name": "title", "type": "text"}, {"name": "note", "type": "text"}, {"name": "n", "type": "number"},
        {"name": "flag", "type": "bool"},
        {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
        {"name": "one", "type": "select", "values": ["a", "b"], "maxSelect": 1},
        {"name": "rels", "type": "relation", "collectionId": "${col_flt_refs}", "maxSelect": 5},
        {"name": "rel", "type": "relation", "collectionId": "${col_flt_refs}", "maxSelect": 1},
        {"name": "when", "type": "date"}, {"name": "meta", "type": "json"}, {"name": "spot", "type": "geoPoint"}]})
    rows: list[dict[str, Any]] = [
        {"title": "Apple pie", "n": 1, "flag": True, "tags": ["a", "b"], "one": "a", "rels": ["${r1}", "${r2}"],
         "rel": "${r1}", "when": "2001-01-01 10:00:00.000Z", "meta": {"k": 1, "s": "x"}, "note": "has note",
         "spot": {"lon": 23.32, "lat": 42.69}},
        {"title": "banana", "n": 2, "flag": False, "tags": ["b"], "one": "b", "rels": ["${r2}"], "rel": "${r2}",
         "when": "2099-01-01 10:00:00.000Z", "meta": {"k": 0}},
        {"title": "Cherry", "n": 3},
        {"title": "apple tart", "n": 0, "flag": True, "tags": ["a", "b", "c"],
         "rels": ["${r1}", "${r2}", "${r3}"], "when": "2001-06-01 00:00:00.000Z", "meta": [1, 2]},
        {"title": "date", "n": -5.5, "tags": ["c"], "rels": ["${r3}"], "rel": "${r3}", "meta": "plain"},
    ]
    for i, row in enumerate(rows):
        paired.create_record("flt_items", f"f{i}", row)
    yield


@pytest.mark.parametrize("case", CASES)
def test_filter(paired: PairedClient, case: Case) -> None:
    # Given five records covering every field shape, When both sides list them with the same filter, Then the
    # same records match (or both reject the filter alike)
    check(paired, case)

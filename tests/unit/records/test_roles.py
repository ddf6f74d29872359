"""Roles: inheritance resolved transitively, cycles found and named, the per-instance cache and its tolerance."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared.errors import ApiError
from shared.records.roles import ROLE_CACHE_SECONDS, ROLE_CYCLE_CODE, Role, RoleCache, RoleGraph
from tests.unit.records.rules_world import PASSWORD, World


def _graph(**includes: list[str]) -> RoleGraph:
    """A graph whose role ids are their names."""
    return RoleGraph(Role(name, name, tuple(inc)) for name, inc in includes.items())


def test_effective_roles_follow_includes_transitively() -> None:
    # Given admin includes editor, editor includes viewer and auditor
    graph = _graph(admin=["editor"], editor=["viewer", "auditor"], viewer=[], auditor=[], guest=[])
    # When the effective roles of an admin, an editor and a guest are resolved
    # Then each has its own role and everything below it, and nothing beside it
    assert graph.effective_names(["admin"]) == ["admin", "auditor", "editor", "viewer"]
    assert graph.effective_names(["editor"]) == ["auditor", "editor", "viewer"]
    assert graph.effective_names(["guest"]) == ["guest"]


def test_effective_roles_skip_unknown_ids_and_survive_a_stored_cycle() -> None:
    # Given a cycle that predates the check, and an assignment naming a deleted role
    graph = _graph(a=["b"], b=["a"])
    # Then resolving terminates, with each role once
    assert graph.effective_names(["a", "gone"]) == ["a", "b"]


def test_no_cycle_in_a_diamond() -> None:
    # Given top includes left and right, both include base
    graph = _graph(top=["left", "right"], left=["base"], right=["base"], base=[])
    # Then no role is on a cycle
    assert all(graph.cycle_through(role) is None for role in ("top", "left", "right", "base"))


@pytest.mark.parametrize(("includes", "start", "cycle"), [
    ({"a": ["a"]}, "a", ["a", "a"]),
    ({"a": ["b"], "b": ["a"]}, "a", ["a", "b", "a"]),
    ({"a": ["b"], "b": ["c"], "c": ["a"]}, "b", ["b", "c", "a", "b"]),
])
def test_a_cycle_is_named_from_the_role_saved(includes: dict[str, list[str]], start: str, cycle: list[str]) -> None:
    assert _graph(**includes).cycle_through(start) == cycle


def test_the_cache_reloads_after_its_tolerance_and_when_invalidated() -> None:
    # Given a cache on a fake clock, and a loader counting its loads
    now = [100.0]
    cache = RoleCache(clock=lambda: now[0])
    owner = World()  # any object that can be weakly referenced stands for a records table
    loads: list[int] = []

    def load() -> RoleGraph:
        loads.append(1)
        return _graph(admin=[])

    # When it is asked twice within the tolerance, then once past it, then after an invalidation
    cache.graph(owner, load)
    now[0] += ROLE_CACHE_SECONDS - 0.1
    cache.graph(owner, load)
    assert len(loads) == 1
    now[0] += 0.2
    cache.graph(owner, load)
    assert len(loads) == 2
    cache.invalidate()
    cache.graph(owner, load)
    # Then it loaded only when stale or invalidated
    assert len(loads) == 3


# through the records engine ----------------------------------------------------------------------------------
@pytest.fixture
def world() -> World:
    w = World()
    roles = w.collections.get("_roles").collection
    w.collection({"name": "people", "type": "auth", "listRule": "", "viewRule": "",
                  "fields": [{"name": "roles", "type": "relation", "collectionId": roles.id, "maxSelect": 10}]})
    w.collection({"name": "plain", "type": "auth", "listRule": "", "viewRule": ""})
    w.collection({"name": "docs", "type": "base", "listRule": "@request.auth.roles ?= 'viewer'",
                  "viewRule": "@request.auth.roles:each != 'banned'", "fields": [{"name": "t", "type": "text"}]})
    return w


def _role(world: World, name: str, *includes: str) -> str:
    return world.record("_roles", {"name": name, "includes": list(includes)}).id


def _person(world: World, collection: str = "people", **fields: Any) -> str:
    return world.record(collection, {"email": f"{uuid.uuid4().hex[:8]}@x.com", "password": PASSWORD,
                                     "passwordConfirm": PASSWORD, **fields}).id


def _sees(world: World, person: str, collection: str = "people") -> list[str]:
    return [item["id"] for item in world.service(person, as_collection=collection).reader.list_page(
        "docs", {"perPage": "100"})["items"]]


def test_rules_see_direct_and_inherited_roles(world: World) -> None:
    # Given viewer <- editor <- admin, a doc listed to viewers, and people with each role or none
    viewer = _role(world, "viewer")
    editor = _role(world, "editor", viewer)
    admin = _role(world, "admin", editor)
    doc = world.record("docs", {"t": "x"}).id
    direct, inherited, nobody = (_person(world, roles=[viewer]), _person(world, roles=[admin]), _person(world))
    # Then a direct viewer and an admin (viewer through editor) list it; someone without roles does not
    assert _sees(world, direct) == [doc]
    assert _sees(world, inherited) == [doc]
    assert _sees(world, nobody) == []


def test_a_guest_has_no_roles(world: World) -> None:
    _role(world, "viewer")
    world.record("docs", {"t": "x"})
    assert world.ids("docs", "guest") == []


def test_each_modifier_holds_for_every_effective_role(world: World) -> None:
    # Given banned is included by an otherwise harmless role
    banned = _role(world, "banned")
    harmless = _role(world, "harmless", banned)
    doc = world.record("docs", {"t": "x"}).id
    person = _person(world, roles=[harmless])
    clean = _person(world, roles=[_role(world, "fine")])
    # When both view the doc (viewRule: every role != banned)
    # Then the one who inherits banned is refused, the other sees it
    with pytest.raises(ApiError) as refused:
        world.service(person).reader.view("docs", doc, {})
    assert refused.value.status == 404
    assert world.service(clean).reader.view("docs", doc, {})[0]["id"] == doc


def test_roles_on_an_auth_collection_without_a_roles_field_is_an_unknown_field(world: World) -> None:
    # Given an auth collection without roles, signed in
    world.record("docs", {"t": "x"})
    person = _person(world, "plain")
    # When its record meets `@request.auth.roles ?= 'viewer'` in the listRule
    page = world.service(person, as_collection="plain").reader.list_page("docs", {})
    # Then it is null, as any unknown @request.auth field is in PocketBase: no match, and no error
    assert page["items"] == []


@pytest.mark.parametrize("length", [1, 2, 3])
def test_a_cycle_is_refused_on_update_and_nothing_is_written(world: World, length: int) -> None:
    # Given a chain r0 <- r1 <- ... (each includes the one before)
    chain = [_role(world, "r0")]
    for i in range(1, length):
        chain.append(_role(world, f"r{i}", chain[-1]))
    # When r0 is made to include the last one (r0 itself for a chain of one)
    admin = world.service("superuser")
    with pytest.raises(ApiError) as refused:
        admin.writer.update("_roles", chain[0], {"includes": [chain[-1]]})
    # Then a 400 names the cycle on `includes`, and r0 still includes nothing
    error = refused.value.data["includes"]
    assert error["code"] == ROLE_CYCLE_CODE
    assert " -> ".join(["r0", *[f"r{i}" for i in range(length - 1, 0, -1)], "r0"]) in error["message"]
    assert admin.reader.view("_roles", chain[0], {})[0]["includes"] == []


def test_a_create_cannot_include_itself(world: World) -> None:
    # When a new role names its own id in `includes`
    with pytest.raises(ApiError) as refused:
        world.service("superuser").writer.create("_roles", {"id": "selfincluding01", "name": "self",
                                                            "includes": ["selfincluding01"]})
    # Then the relation check refuses it first (no such record yet): a create cannot close a cycle
    assert refused.value.status == 400
    assert refused.value.data["includes"]["code"] == "validation_missing_rel_records"


def test_a_role_change_reaches_rules_at_once_on_the_same_instance(world: World) -> None:
    # Given editor includes viewer, and an editor who lists the doc
    viewer = _role(world, "viewer")
    editor = _role(world, "editor", viewer)
    doc = world.record("docs", {"t": "x"}).id
    person = _person(world, roles=[editor])
    assert _sees(world, person) == [doc]
    # When editor stops including viewer
    world.service("superuser").writer.update("_roles", editor, {"includes": []})
    # Then the next request already sees the change (this instance's cache was dropped by the write)
    assert _sees(world, person) == []


def test_deleting_a_role_unlinks_it_and_ends_what_it_granted(world: World) -> None:
    # Given editor includes viewer, and an editor who lists the doc
    viewer = _role(world, "viewer")
    editor = _role(world, "editor", viewer)
    doc = world.record("docs", {"t": "x"}).id
    person = _person(world, roles=[editor])
    assert _sees(world, person) == [doc]
    # When viewer is deleted
    admin = world.service("superuser")
    admin.writer.delete("_roles", viewer)
    # Then editor no longer includes it, and the editor no longer lists the doc
    assert admin.reader.view("_roles", editor, {})[0]["includes"] == []
    assert _sees(world, person) == []

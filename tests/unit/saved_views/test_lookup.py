"""Finding a saved view by slug (the contract public forms build on)."""

from __future__ import annotations

from shared.saved_views.lookup import find_view_by_slug
from tests.unit.records.rules_world import World


def test_a_view_is_found_by_its_slug_and_nothing_by_another() -> None:
    # Given a form view with a slug and a grid without one
    world = World()
    world.collection({"name": "leads", "type": "base", "fields": [{"name": "email", "type": "email"}]})
    target = world.collections.get("leads").collection.id
    form = world.record("_views", {"collection": target, "name": "Signup", "type": "form", "slug": "sign-up",
                                   "options": {"form": {"fields": ["email"]}}})
    world.record("_views", {"collection": target, "name": "All", "type": "grid"})
    # When each slug is looked up
    found = find_view_by_slug(world.collections, world.records, "sign-up")
    # Then the form is found with its values by name; an unknown, empty or quoted slug finds nothing
    assert found is not None and found[0].id == form.id
    assert found[1]["options"] == {"form": {"fields": ["email"]}} and found[1]["collection"] == target
    for missing in ("nope", "", "x' || slug != '"):
        assert find_view_by_slug(world.collections, world.records, missing) is None

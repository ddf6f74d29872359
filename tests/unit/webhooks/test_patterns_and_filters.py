"""Event patterns (`posts.*`, `*.deleted`, `record.*`, `auth.signin`) and subscription filters on data.record."""

from __future__ import annotations

import pytest

from shared.webhooks.patterns import any_matches, pattern_error
from shared.webhooks.record_filter import compile_filter, filter_error, record_matches


@pytest.mark.parametrize(("pattern", "event_type", "collection", "expected"), [
    ("posts.*", "record.created", "posts", True),
    ("posts.*", "record.deleted", "posts", True),
    ("posts.*", "record.created", "comments", False),
    ("*.deleted", "record.deleted", "comments", True),
    ("*.deleted", "record.updated", "comments", False),
    ("record.*", "record.updated", "posts", True),
    ("record.*", "auth.signin", "", False),
    ("auth.signin", "auth.signin", "users", True),
    ("auth.signin", "auth.signin_failed", "users", False),
    ("*", "webhook.disabled", "", True),
    ("posts.created", "record.created", "posts", True),
    ("*.*", "auth.signin", "", True),
])
def test_a_pattern_matches_an_event_by_its_type_or_its_collection(
        pattern: str, event_type: str, collection: str, expected: bool) -> None:
    # When the pattern is checked against the event's names
    # Then it matches exactly the events its segments name
    assert any_matches([pattern], event_type, collection) is expected


@pytest.mark.parametrize("pattern", ["posts", "a.b.c", "", ".created", "posts.", "po sts.*", 7, "posts.cre*"])
def test_a_malformed_pattern_is_refused(pattern: object) -> None:
    assert pattern_error(pattern) is not None


@pytest.mark.parametrize("pattern", ["*", "posts.*", "*.deleted", "record.created", "auth.signin_failed"])
def test_a_wellformed_pattern_is_accepted(pattern: str) -> None:
    assert pattern_error(pattern) is None


@pytest.mark.parametrize(("text", "record", "expected"), [
    ("title = 'go'", {"title": "go"}, True),
    ("title = 'go'", {"title": "stop"}, False),
    ("views > 10 && status != 'draft'", {"views": 11, "status": "live"}, True),
    ("tags ?= 'news'", {"tags": ["a", "news"]}, True),
    ("meta.kind = 'x'", {"meta": {"kind": "x"}}, True),
    ("missing = ''", {"title": "go"}, True),
    ("", {"title": "anything"}, True),
])
def test_a_filter_is_evaluated_on_the_events_record(text: str, record: dict[str, object], expected: bool) -> None:
    assert record_matches(compile_filter(text), record) is expected


def test_a_filter_matches_no_event_without_a_record() -> None:
    assert record_matches(compile_filter("title = 'go'"), None) is False


@pytest.mark.parametrize("text", ["title =", "@request.auth.id != ''", "@collection.posts.id != ''", "(a = 1"])
def test_a_filter_that_cannot_be_evaluated_on_a_record_is_refused(text: str) -> None:
    assert filter_error(text) is not None

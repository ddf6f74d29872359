"""The cold-start bench's bookkeeping: rounds around hello samples, and a first event for every HTTP function."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared import resources
from tests.bench import cold_start, cold_world
from tests.bench.cold_start import FirstEventError, Sample, Staged, Subject


def subject(name: str) -> Subject:
    return Subject(name, Staged(name, Path("."), ()), {})


class Timeline:
    """A fake sampler: each sample's CPU is its position in the run, so a ratio tells which hellos it used."""

    def __init__(self, failing: frozenset[str] = frozenset()) -> None:
        self.order: list[str] = []
        self.failing = failing

    def next(self, name: str) -> Sample:
        self.order.append(name)
        if name in self.failing:
            raise FirstEventError(f"{name} answered 500", "answered 500")
        return Sample(cpu=float(len(self.order)), init=0.0)

    def hello(self) -> Sample:
        return self.next("hello")

    def take(self, s: Subject) -> Sample:
        return self.next(s.name)


def test_each_round_brackets_pairs_with_hellos_and_rotates(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given five subjects and two rounds
    monkeypatch.setattr(cold_start, "ROUNDS", 2)
    timeline = Timeline()
    # When they are sampled in rounds
    rows, failed = cold_start.in_rounds(timeline.hello, [subject(n) for n in "abcde"], timeline.take)
    # Then two subjects at most sit between hellos, and the second round starts one subject further
    assert timeline.order == ["hello", "a", "b", "hello", "c", "d", "hello", "e", "hello",
                              "hello", "b", "c", "hello", "d", "e", "hello", "a", "hello"]
    assert not failed
    by_name = {row.name: row for row in rows}
    assert list(by_name) == ["hello (baseline)", *"abcde"]
    # and a's ratios are to the mean of the hellos around it: 2 / ((1 + 4) / 2) and 17 / ((16 + 18) / 2)
    assert by_name["a"].ratio == pytest.approx((2 / 2.5 + 17 / 17) / 2)
    assert by_name["hello (baseline)"].ratio == 1.0


def test_a_failing_subject_is_reported_and_sampled_no_more(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a subject whose first event fails
    monkeypatch.setattr(cold_start, "ROUNDS", 3)
    timeline = Timeline(failing=frozenset({"b"}))
    # When the rounds run
    rows, failed = cold_start.in_rounds(timeline.hello, [subject(n) for n in "abc"], timeline.take)
    # Then it is sampled once, named with its answer, and has no row; the others have all their rounds
    assert timeline.order.count("b") == 1 and timeline.order.count("a") == 3 and timeline.order.count("c") == 3
    assert failed["b"].answer == "answered 500"
    assert [row.name for row in rows] == ["hello (baseline)", "a", "c"]


def test_every_http_function_has_a_first_event_that_its_route_reaches() -> None:
    # Given the declared functions, When the bench builds its HTTP events (routed as API Gateway routes them)
    events = cold_world.http_events(cold_world.World("pbc_x", "user-token", "superuser-token", "notes_x.txt"))
    # Then every function of kind http has one, and each routeKey is a declared route (never $default)
    assert set(events) == set(cold_start.HTTP_GOAL)
    assert set(cold_start.HTTP_GOAL) == {fn.name for fn in resources.FUNCTIONS if fn.kind == "http"}
    declared = {f"{route.method} {route.path}" for route in resources.ROUTES}
    assert all(event["routeKey"] in declared for event in events.values())

"""The goals table of `make bench`: every benchmark records each goal next to its measured figure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Goal:
    area: str
    name: str
    goal: str
    measured: str
    met: bool | None  # None: informational, no pass/fail


GOALS: list[Goal] = []


def record(area: str, name: str, goal: str, measured: str, met: bool | None) -> None:
    """Add one line to the closing table; `measured` is the figure as printed."""
    GOALS.append(Goal(area, name, goal, measured, met))


def print_table() -> None:
    """Print every recorded goal next to its figure, at the end of the run."""
    if not GOALS:
        return
    width = max(len(f"{g.area}: {g.name}") for g in GOALS)
    print("\nGoals (issue 8), measured in this run:")
    for g in GOALS:
        mark = "-" if g.met is None else ("met" if g.met else "NOT MET")
        print(f"  {g.area + ': ' + g.name:<{width}}  goal {g.goal:<14} measured {g.measured:<22} {mark}")

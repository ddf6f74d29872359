"""CONCEALED: a value the resolver hides from the caller matches no comparison, alone, in lists or in functions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shared.tools.filter import CONCEALED, Identifier, Resolved, evaluate, parse_filter


@dataclass
class HiddenEmails:
    """`email` is concealed; `emails` mixes one visible and one concealed value; `other` is plain."""

    def resolve(self, identifier: Identifier) -> Resolved:
        return {
            "email": Resolved([CONCEALED], multi=False),
            "emails": Resolved(["bob@x.com", CONCEALED], multi=True),
            "hidden_only": Resolved([CONCEALED, CONCEALED], multi=True),
            "other": Resolved(["x"], multi=False),
        }[identifier.dotted]


@pytest.mark.parametrize(("text", "expected"), [
    ("email = 'alice@x.com'", False),
    ("email != 'alice@x.com'", False),  # no `!=` either: that would tell what it is not
    ("email = ''", False),
    ("email != ''", False),
    ("email = null", False),
    ("email ~ 'a'", False),
    ("email !~ 'a'", False),
    ("email > ''", False),
    ("email:lower = ''", False),
    ("email = other", False),
    ("other != email", False),
    ("strftime('%Y', email) = ''", False),
    ("strftime('%Y', email) != '2020'", False),
    ("email = 'a' || other = 'x'", True),
    # among several values a concealed one counts neither for nor against "every value"
    ("emails = 'bob@x.com'", True),
    ("emails != 'alice@x.com'", True),
    ("emails ?= 'bob@x.com'", True),
    ("emails ?= ''", False),
    ("hidden_only != 'z'", False),
    ("hidden_only ?!= 'z'", False),
])
def test_a_concealed_value_matches_nothing(text: str, expected: bool) -> None:
    # Given a resolver hiding some values / When a filter compares them / Then no comparison holds on them
    assert evaluate(parse_filter(text), HiddenEmails()) is expected


def test_a_concealed_value_sorts_and_reads_as_empty_text() -> None:
    # anything that does not know the marker (sorting, JSON) sees an empty text, never the value
    assert CONCEALED == "" and isinstance(CONCEALED, str)

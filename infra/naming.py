"""Construct ids derived from resource keys, and the per-stack suffix of names that must never be reused."""

from __future__ import annotations

import re

from aws_cdk import Aws, Fn


def construct_id(*parts: str) -> str:
    """`construct_id("record-events", "rule")` -> "RecordEventsRule"."""
    words = (word for part in parts for word in re.split(r"[^A-Za-z0-9]+", part) if word)
    return "".join(word[:1].upper() + word[1:] for word in words)


# The last group of the stack id's UUID: 12 lowercase hex digits.
STACK_SUFFIX_LENGTH = 12


def stack_unique_suffix() -> str:
    """The last 12 hex digits of the stack's UUID: the same for the stack's life, new each time it is created.

    S3 bucket names are global, and a deleted secret's name stays taken for its recovery window (7-30 days), so
    their names end with this: a stage re-created after `destroy`, or beside its retained data, never collides.
    """
    return Fn.select(4, Fn.split("-", Fn.select(2, Fn.split("/", Aws.STACK_ID))))

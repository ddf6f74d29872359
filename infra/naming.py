"""Construct ids derived from resource keys, so logical ids follow shared/resources.py and nothing else."""

from __future__ import annotations

import re


def construct_id(*parts: str) -> str:
    """`construct_id("record-events", "rule")` -> "RecordEventsRule"."""
    words = (word for part in parts for word in re.split(r"[^A-Za-z0-9]+", part) if word)
    return "".join(word[:1].upper() + word[1:] for word in words)

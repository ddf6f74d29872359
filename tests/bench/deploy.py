"""Deploying goals of issue 8 in the bench table: each queue's visibility timeout against its consumer's timeout.

Read from shared/resources.py, the definitions both CDK and the local stack create, so no synth is needed;
tests/infra checks the synthesized template carries the same figures.
"""

from __future__ import annotations

from shared import resources
from tests.bench import goals

# AWS's advice for SQS event sources: at least six times the function's timeout.
VISIBILITY_RATIO_GOAL = 6.0


def report() -> None:
    for source in (s for s in resources.EVENT_SOURCES if s.kind == "queue"):
        visibility = resources.queue(source.source).visibility_timeout_s
        timeout = resources.function(source.function).timeout_s
        ratio = visibility / timeout
        goals.record("Deploying", f"{source.source} queue visibility / {source.function} timeout",
                     f">= {VISIBILITY_RATIO_GOAL:g}x", f"{ratio:.1f}x ({visibility} s / {timeout} s)",
                     ratio >= VISIBILITY_RATIO_GOAL)

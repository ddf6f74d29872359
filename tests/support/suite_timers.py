"""The short timers test stacks run with, set by configuration as an operator could, so suites poll, not sleep.

Each is a deployment or local-stack setting whose default the product keeps; a suite that would otherwise wait
through it (a cache's life, a batching window) shortens it here, and the tests that check the timer itself set
their own.
"""

from __future__ import annotations

# The deliveries function's subscriptions cache (2 s deployed): a test subscribes, then waits this long.
SUBSCRIPTIONS_CACHE_S = 0.25
SUBSCRIPTIONS_CACHE_ENV = {"LB_WEBHOOK_SUBSCRIPTIONS_CACHE_S": str(SUBSCRIPTIONS_CACHE_S)}
# Every event source mapping without a batching window (1 s declared): a consumer reads a change, a webhook
# attempt or a job a poll after it is written. The window itself is tested in tests/integration/local and
# tests/e2e/test_totals_lag.py, on stacks that keep the declared one.
NO_BATCHING_WINDOW_ENV = {"LB_BATCHING_WINDOW_S": "0"}

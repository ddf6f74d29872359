"""Client IP benchmark: what `trustedProxy` and `superuserIPs` cost a request, and that they read no settings.

- CPU: REQUESTS calls of the real-IP computation (`scope_client_ip`, PocketBase's RealIP under a trusted
  three-hop X-Forwarded-For) plus the superuserIPs check (three subnets), against the remote IP alone (what
  the client IP was before `trustedProxy` was acted on); paired A B A B over ROUNDS, median of the ratios.
- Settings reads: the same calls through the real per-instance cache (5 s TTL) over a counting source: the
  loads per request, which must stay one per TTL, never one per request.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from tests.bench import goals

REQUESTS = int(os.environ.get("LB_BENCH_CLIENT_IP_REQUESTS", "5000"))
ROUNDS = int(os.environ.get("LB_BENCH_CLIENT_IP_ROUNDS", "5"))
CPU_GOAL_MS = 0.02  # a fraction of the request log's own 0.05 ms budget

SCOPE: dict[str, Any] = {
    "type": "http", "method": "GET", "path": "/api/collections/posts/records",
    "headers": [(b"x-forwarded-for", b"198.51.100.20, 203.0.113.40, 192.0.2.9"), (b"user-agent", b"bench")],
    "client": ("192.0.2.9", 0),
    "aws.event": {"requestContext": {"http": {"sourceIp": "192.0.2.9"}}},
}
ALLOWED = ("10.0.0.0/8", "172.16.0.0/12", "192.0.2.0/24")


class CountingSource:
    """Settings with X-Forwarded-For trusted and three superuser subnets; counts how often they are loaded."""

    def __init__(self) -> None:
        from shared.app_settings.model import AppSettings, TrustedProxySettings

        self.loads = 0
        self.settings = AppSettings(trusted_proxy=TrustedProxySettings(headers=("X-Forwarded-For",)),
                                    superuser_ips=ALLOWED)

    def load(self) -> Any:
        self.loads += 1
        return self.settings


def _timed(work: Any) -> float:
    started = time.process_time()
    for _ in range(REQUESTS):
        work()
    return (time.process_time() - started) / REQUESTS * 1000


def measure() -> tuple[float, float, float]:
    """(ms per request now, ratio to the remote IP alone, settings loads per request)."""
    from shared.app_settings import provider
    from shared.auth.caller import refuse_superuser_ip
    from shared.http.requests import remote_ip, scope_client_ip

    source = CountingSource()
    provider.use_source(source)
    try:
        def now() -> None:
            refuse_superuser_ip(True, scope_client_ip(SCOPE))

        def before() -> None:
            remote_ip(SCOPE)

        pairs = [(_timed(before), _timed(now)) for _ in range(ROUNDS)]
        loads_per_request = source.loads / (ROUNDS * REQUESTS)  # only the real-IP calls read settings
    finally:
        provider.use_source(None)
    return (statistics.median(b for _, b in pairs), statistics.median(b / a for a, b in pairs), loads_per_request)


def report() -> None:
    started = time.monotonic()
    cpu_ms, ratio, loads = measure()
    print(f"client IP: real IP + superuserIPs {cpu_ms * 1000:.1f} us/request, {ratio:.2f}x the remote IP alone; "
          f"settings loads per request {loads:.6f} ({time.monotonic() - started:.1f} s)")
    goals.record("client IP", "trustedProxy + superuserIPs CPU", f"< {CPU_GOAL_MS} ms", f"{cpu_ms:.4f} ms "
                 f"({ratio:.2f}x remote IP)", cpu_ms < CPU_GOAL_MS)
    goals.record("client IP", "settings reads per request", "0 (5 s cache)", f"{loads:.6f}", loads < 0.001)


if __name__ == "__main__":
    report()

"""Realtime protocol benchmarks on moto: what each message costs in DynamoDB calls, and one channel publish.

- DynamoDB calls per message (`ping`, `auth`, a `subscribe` of ten strings), counted on the client's
  `after-call` event: a heartbeat must cost no storage at all.
- A publish to one channel among CHANNELS channels of SUBSCRIBERS subscribers each: the subscription items it
  reads (goal: that channel's subscribers only), and its time with a sender that takes SEND_MS per post (as a
  post to @connections does), serial sends (before) against the overlapping sends (after), paired A B A B with
  the median of the ratios.

`python -m tests.bench.realtime_protocol`; sizes through LB_BENCH_RT_* (defaults run in well under a minute).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from typing import Any

from tests.bench import goals
from tests.support.record_stores import dynamo_records

CHANNELS = int(os.environ.get("LB_BENCH_RT_CHANNELS", "10"))
SUBSCRIBERS = int(os.environ.get("LB_BENCH_RT_SUBSCRIBERS", "100"))
ROUNDS = int(os.environ.get("LB_BENCH_RT_ROUNDS", "3"))
SEND_MS = float(os.environ.get("LB_BENCH_RT_SEND_MS", "5"))


class _SlowSender:
    """Records posts, each taking SEND_MS, as a round trip to API Gateway's @connections would."""

    def __init__(self) -> None:
        self.count = 0

    def send(self, connection_id: str, message: dict[str, Any]) -> None:
        time.sleep(SEND_MS / 1000)
        self.count += 1


def _calls_counter() -> dict[str, int]:
    from shared.aws import client

    counts = {"calls": 0}

    def count(**_: Any) -> None:
        counts["calls"] += 1

    client("dynamodb").meta.events.register("after-call.dynamodb", count)
    return counts


def measure() -> dict[str, Any]:
    from shared import resources
    from shared.app_settings import provider
    from shared.app_settings.model import ChannelRuleSettings
    from shared.auth.refresh_repository import DynamoRefreshFamilyRepository
    from shared.catalog.repository import DynamoCollectionRepository
    from shared.realtime import protocol
    from shared.realtime.dynamo_subscriptions import DynamoSubscriptionStore
    from tests.support.moto_cloud import running_cloud
    from tests.unit.realtime.realtime_world import RealtimeWorld

    out: dict[str, Any] = {}
    with running_cloud():
        system, records = resources.SYSTEM_TABLE.physical_name, resources.RECORDS_TABLE.physical_name
        store = DynamoSubscriptionStore(system)
        world = RealtimeWorld(DynamoCollectionRepository(system), dynamo_records(records, system),
                              DynamoRefreshFamilyRepository(system), store)
        world.channels(ChannelRuleSettings(pattern="*", subscribe_rule="", publish_rule=""))
        counts = _calls_counter()
        world.connect("probe")
        token = world.token("alice")
        for name, message in (("ping", {"type": "ping"}), ("auth", {"type": "auth", "token": token}),
                              ("subscribe10", {"type": "subscribe", "topics": [f"posts/r{i}" for i in range(10)]})):
            before = counts["calls"]
            protocol.on_message(world.deps, "probe", json.dumps(message))
            out[name] = counts["calls"] - before
        for c in range(CHANNELS):
            for s in range(SUBSCRIBERS):
                cid = f"c{c}-{s}"
                world.connect(cid)
                protocol.on_message(world.deps, cid, json.dumps({"type": "subscribe", "topics": [f"channel:ch-{c}"]}))
        publish = json.dumps({"type": "publish", "channel": "channel:ch-0", "data": {"x": 1}})
        before_read = store.items_read
        protocol.on_message(world.deps, "probe", publish)
        out["items_read"] = store.items_read - before_read
        ratios, serial_s, overlapped_s = [], [], []
        for _ in range(ROUNDS):
            timings = []
            for concurrency in (1, world.deps.send_concurrency):
                sender = _SlowSender()
                deps = world.deps.__class__(store=world.deps.store, collections=world.deps.collections,
                                            sender=sender, make_authenticator=world.deps.make_authenticator,
                                            clock=world.deps.clock, send_concurrency=concurrency)
                started = time.perf_counter()
                protocol.on_message(deps, "probe", publish)
                timings.append(time.perf_counter() - started)
                assert sender.count == SUBSCRIBERS + 1  # every subscriber, then the ack
            serial_s.append(timings[0])
            overlapped_s.append(timings[1])
            ratios.append(timings[1] / timings[0])
        provider.use_source(None)
    out.update(serial_s=statistics.median(serial_s), overlapped_s=statistics.median(overlapped_s),
               ratio=statistics.median(ratios))
    return out


def report() -> None:
    found = measure()
    print(f"\nrealtime protocol on moto: DynamoDB calls ping {found['ping']}, auth {found['auth']}, "
          f"subscribe of 10 strings {found['subscribe10']}")
    print(f"  publish to 1 of {CHANNELS} channels x {SUBSCRIBERS} subscribers: {found['items_read']} subscription "
          f"items read; with {SEND_MS:g} ms posts, serial {found['serial_s'] * 1000:.0f} ms -> overlapped "
          f"{found['overlapped_s'] * 1000:.0f} ms (x{found['ratio']:.2f}, median of {ROUNDS} paired rounds)")
    goals.record("realtime", "DynamoDB calls per ping", "0", str(found["ping"]), found["ping"] == 0)
    goals.record("realtime", "items read per channel publish", f"= {SUBSCRIBERS} of {CHANNELS * SUBSCRIBERS}",
                 str(found["items_read"]), found["items_read"] == SUBSCRIBERS)
    goals.record("realtime", f"publish to {SUBSCRIBERS} ({SEND_MS:g} ms posts)", "overlapped",
                 f"{found['overlapped_s'] * 1000:.0f} ms (x{found['ratio']:.2f} of serial)", None)


if __name__ == "__main__":
    report()
    goals.print_table()

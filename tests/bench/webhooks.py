"""Webhook deliveries on moto: deliveries per second to a fast loopback receiver with 10 subscriptions, and the
DynamoDB write units each delivery costs (priced by tests/support/capacity.py from the requests sent).

The path is the deliveries function's own: its handler gets SQS-shaped batches of the events queue (fan-out to
the deliveries queue on moto's SQS), then batches of 10 of the deliveries queue (attempts: idempotency record,
signing, POST, the log). Rounds are timed separately and the median reported, since the machine is shared.
`LB_BENCH_WEBHOOK_EVENTS` sets the events per round (each goes to every subscription), `LB_BENCH_WEBHOOK_ROUNDS`
the rounds.
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.bench import goals

EVENTS = int(os.environ.get("LB_BENCH_WEBHOOK_EVENTS", "20"))
ROUNDS = int(os.environ.get("LB_BENCH_WEBHOOK_ROUNDS", "3"))
SUBSCRIPTIONS = 10
# What a first attempt writes: the idempotency record (a put in progress, an update completed: 2), the log entry
# and its time-index entry (2), and the kept message a redelivery or replay starts from (1); a retry, 4.
WCU_EXPECTED = 5.0


class _Fast(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _sqs_event(bodies: list[str], arn: str) -> dict[str, Any]:
    return {"Records": [{"messageId": str(uuid.uuid4()), "receiptHandle": "h", "body": body, "attributes": {},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": arn, "awsRegion": "us-east-1"} for body in bodies]}


def _drain(url: str) -> list[str]:
    from shared.aws import client

    bodies: list[str] = []
    while True:
        out = client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        messages = out.get("Messages", [])
        if not messages:
            return bodies
        bodies += [m["Body"] for m in messages]
        client("sqs").delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])


def measure() -> tuple[list[float], float, int]:
    """(deliveries per second of each round, WCU per delivery, deliveries made)."""
    from shared.aws import client, queue_url
    from shared.composition import composition
    from shared.records.context import RequestContext
    from shared.records.scope import RecordScope
    from shared.resources import DELIVERIES_QUEUE
    from tests.support.capacity import CapacityMeter
    from tests.support.moto_cloud import running_cloud

    os.environ["LB_WEBHOOKS_ALLOW_LOOPBACK"] = "true"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fast)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with running_cloud():
            from local.invoke import invoke

            parts = composition()
            system = RecordScope(parts.collections, parts.records, RequestContext(method="POST", system=True),
                                 parts.hooks)
            for n in range(SUBSCRIPTIONS):
                system.writer.create("_webhooks", {"url": f"http://127.0.0.1:{server.server_address[1]}/h{n}",
                                                   "events": ["posts.*"]})
            url = queue_url(DELIVERIES_QUEUE.physical_name)
            rates: list[float] = []
            meter = CapacityMeter()
            delivered = 0
            with meter.attached(client("dynamodb")):
                for _ in range(ROUNDS):
                    events = [json.dumps({"detail-type": "record.created", "source": "lambdabase.records", "detail": {
                        "id": f"evt_{uuid.uuid4().hex}", "type": "record.created", "time": "2026-12-01 10:00:00.000Z",
                        "collectionName": "posts", "data": {"record": {"id": f"r{i}", "title": "t" * 200}}}})
                        for i in range(EVENTS)]
                    for start in range(0, len(events), 10):
                        invoke("deliveries", _sqs_event(events[start:start + 10], "arn:events"))
                    bodies = _drain(url)
                    before = meter.snapshot()
                    started = time.perf_counter()
                    for start in range(0, len(bodies), 10):
                        invoke("deliveries", _sqs_event(bodies[start:start + 10], "arn:deliveries"))
                    rates.append(len(bodies) / (time.perf_counter() - started))
                    delivered += len(bodies)
                    spent = meter.snapshot() - before
                    wcu = spent.wcu / max(1, len(bodies))
            return rates, wcu, delivered
    finally:
        server.shutdown()
        server.server_close()


def report() -> None:
    rates, wcu, delivered = measure()
    rate = statistics.median(rates)
    print(f"webhook deliveries: {', '.join(f'{r:.0f}' for r in rates)} /s over {ROUNDS} rounds of "
          f"{EVENTS} events x {SUBSCRIPTIONS} subscriptions ({delivered} deliveries), {wcu:.2f} WCU each")
    goals.record("webhooks", "deliveries/s, 10 subscriptions", "informational", f"{rate:.0f}/s (median)", None)
    goals.record("webhooks", "WCU per delivery (first attempt, 2xx)", f"<= {WCU_EXPECTED:g}", f"{wcu:.2f}",
                 wcu <= WCU_EXPECTED)


if __name__ == "__main__":
    report()
    goals.print_table()

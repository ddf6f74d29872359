"""SSE bridge benchmark: what one connected SSE client costs per hour, against the WebSocket path.

Measured on this machine, on the bridge process as the Web Adapter runs it (tests/support/sse_bridge_server.py:
the deployed handler module, uvicorn, one held stream fed by a stand-in WebSocket API):
- memory: the process's RSS at rest and its peak with a stream held (Lambda bills the configured memory, which
  must hold this peak);
- CPU: process CPU while a stream is held and events flow, against the same time with no stream, paired
  A B A B over LB_BENCH_SSE_ROUNDS rounds of LB_BENCH_SSE_HOLD_S seconds, median of the differences;
- bytes: one event's size on the SSE stream and on the WebSocket.

Then the cost per connected client-hour from list prices (PRICES, dated): a held stream keeps one Lambda
instance busy for its whole life, so the bridge pays memory x wall time, whatever the CPU; the WebSocket path
pays connection minutes and messages only. LB_BENCH_SSE_EVENTS_PER_HOUR sets the event rate of the comparison.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from shared import resources
from tests.bench import goals
from tests.support.sse_bridge_world import FakeWebSocketApi, free_port

ROUNDS = int(os.environ.get("LB_BENCH_SSE_ROUNDS", "3"))
HOLD_S = float(os.environ.get("LB_BENCH_SSE_HOLD_S", "5"))
EVENTS_PER_S = float(os.environ.get("LB_BENCH_SSE_EVENTS_PER_S", "10"))
EVENTS_PER_HOUR = float(os.environ.get("LB_BENCH_SSE_EVENTS_PER_HOUR", "60"))
MEMORY_MB = resources.SSE_BRIDGE_FUNCTION.memory_mb
# Headroom for the Web Adapter's own process and the runtime: the Python process may use 80 % of the setting.
MEMORY_GOAL = 0.8
ROOT = Path(__file__).resolve().parents[2]

# A typical record event: a post with a title, a body of 300 characters and the system fields.
RECORD = {"collectionId": "pbc_1234567890", "collectionName": "posts", "id": "abcdefghij12345",
          "title": "A title of some length", "body": "x" * 300, "author": "u123456789abcde",
          "created": "2026-12-01 12:00:00.000Z", "updated": "2026-12-01 12:00:00.000Z"}
TOPIC = "posts/*"
DONE = "bench-done"


@dataclass(frozen=True)
class Prices:
    """AWS list prices, us-east-1, as published on the services' pricing pages (checked 2025; re-check)."""

    as_of: str = "2025 list prices, us-east-1"
    lambda_arm_gb_s: float = 0.0000133334  # Lambda duration, arm64, first 7.5 B GB-s a month
    lambda_request: float = 0.20 / 1e6
    lambda_streamed_gb: float = 0.008  # response streaming, bytes beyond the first 6 MB of a response
    cloudfront_gb: float = 0.085  # data transfer out to the internet, first 10 TB, North America / Europe
    cloudfront_https_request: float = 0.0100 / 10_000
    ws_connection_minute: float = 0.25 / 1e6  # API Gateway WebSocket connection minutes
    ws_message: float = 1.00 / 1e6  # API Gateway WebSocket messages (32 KB units), first 1 B a month


PRICES = Prices()


@dataclass(frozen=True)
class ClientHour:
    bridge: float
    websocket: float

    @property
    def ratio(self) -> float:
        return self.bridge / self.websocket if self.websocket else float("inf")


def cost_per_client_hour(memory_mb: int, events_per_hour: float, sse_event_bytes: int,
                         prices: Prices = PRICES) -> ClientHour:
    """One client connected for an hour, `events_per_hour` events to it.

    Bridge: one instance held the whole hour (memory x 3,600 s); a stream ends after 5 quiet minutes or 14 in all
    and the SDK reconnects and posts its subscriptions again: at most 12 streams and 12 POSTs; every event goes
    over CloudFront, and over the bridge's own WebSocket (a message and a connection, as a WebSocket client).
    WebSocket client: 60 connection minutes, a ping every 5 minutes (12 messages, 12 pongs), the events.
    """
    streams_per_hour = 12
    websocket = 60 * prices.ws_connection_minute + (24 + events_per_hour) * prices.ws_message
    bridge_lambda = memory_mb / 1024 * 3600 * prices.lambda_arm_gb_s + 2 * streams_per_hour * prices.lambda_request
    # Each stream stays far under the 6 MB Lambda streams for free; the bytes are CloudFront's.
    streamed_gb = events_per_hour * sse_event_bytes / 1e9
    bridge_edge = streamed_gb * prices.cloudfront_gb + 2 * streams_per_hour * prices.cloudfront_https_request
    # its auth and ack per stream, a ping and its pong every 5 minutes, the events
    bridge_socket = 60 * prices.ws_connection_minute + (2 * streams_per_hour + 24 + events_per_hour) * \
        prices.ws_message
    return ClientHour(bridge=bridge_lambda + bridge_edge + bridge_socket, websocket=websocket)


def _proc_status(pid: int, field: str) -> int:
    """A /proc/<pid>/status figure in kB (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class BridgeProcess:
    proc: subprocess.Popen[bytes]
    url: str

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the bridge process did not start")


def _hold(bridge: BridgeProcess, ws_api: FakeWebSocketApi, seconds: float) -> tuple[int, int]:
    """Hold one stream for `seconds` while events flow; returns (events read, bytes of one event)."""
    read = 0
    size = 0
    with httpx.stream("GET", bridge.url + "/api/realtime", timeout=30) as response:
        lines = response.iter_lines()
        client_id = next(lines).removeprefix("id:")
        stop = time.monotonic() + seconds

        def feed() -> None:
            while time.monotonic() < stop:
                ws_api.push(client_id, {"type": "event", "topic": TOPIC, "data": {"action": "update",
                                                                                  "record": RECORD}})
                time.sleep(1 / EVENTS_PER_S)
            # the last message tells the reader the hold is over (else it would wait for a keepalive)
            ws_api.push(client_id, {"type": "event", "topic": DONE, "data": {}})

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        message = 0
        for line in lines:
            if line == f"event:{DONE}":
                break
            message += len(line) + 1
            if not line:
                if read:  # the first blank line closes PB_CONNECT
                    size = message
                read += 1
                message = 0
        feeder.join(5)
    return max(read - 1, 0), size


def measure() -> dict[str, float]:
    from shared.realtime.subscriptions import InMemorySubscriptionStore

    ws_api = FakeWebSocketApi(InMemorySubscriptionStore(), port=free_port())
    ready = threading.Event()
    threading.Thread(target=ws_api.run, args=(ready,), daemon=True).start()
    ready.wait(5)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.sse_bridge_server", str(port),
                             f"ws://127.0.0.1:{ws_api.port}"], cwd=ROOT)
    bridge = BridgeProcess(proc, f"http://127.0.0.1:{port}")
    try:
        bridge.wait_ready()
        rest_kb = _proc_status(proc.pid, "VmRSS")
        idle_cpu, held_cpu, events, size = [], [], 0, 0
        for _ in range(ROUNDS):
            before = _cpu_s(proc.pid)
            time.sleep(HOLD_S)
            idle_cpu.append(_cpu_s(proc.pid) - before)
            before = _cpu_s(proc.pid)
            events, size = _hold(bridge, ws_api, HOLD_S)
            held_cpu.append(_cpu_s(proc.pid) - before)
        peak_kb = _proc_status(proc.pid, "VmHWM")
    finally:
        proc.terminate()
        proc.wait(10)
        ws_api.stop()
    per_stream_cpu = statistics.median(h - i for h, i in zip(held_cpu, idle_cpu, strict=True))
    ws_bytes = len(json.dumps({"type": "event", "topic": TOPIC, "data": {"action": "update", "record": RECORD}}))
    return {"rest_mb": rest_kb / 1024, "peak_mb": peak_kb / 1024, "cpu_s": per_stream_cpu,
            "events": events, "sse_bytes": size, "ws_bytes": ws_bytes}


def report() -> None:
    print(f"\nSSE bridge: one held stream ({ROUNDS} rounds of {HOLD_S:.0f} s idle then held, "
          f"{EVENTS_PER_S:.0f} events/s)")
    figures = measure()
    cpu_ms_per_event = figures["cpu_s"] * 1000 / max(figures["events"], 1)
    cost = cost_per_client_hour(MEMORY_MB, EVENTS_PER_HOUR, int(figures["sse_bytes"]))
    print(f"  bridge process RSS at rest {figures['rest_mb']:.0f} MB, peak with a stream {figures['peak_mb']:.0f} MB "
          f"(function memory {MEMORY_MB} MB)")
    print(f"  CPU for a held stream: {figures['cpu_s'] * 1000:.0f} ms over {HOLD_S:.0f} s, "
          f"{cpu_ms_per_event:.2f} ms per event ({figures['events']:.0f} events read)")
    print(f"  one event: {figures['sse_bytes']:.0f} B on the SSE stream, {figures['ws_bytes']:.0f} B on the WebSocket")
    print(f"  per connected client-hour at {EVENTS_PER_HOUR:.0f} events/h ({PRICES.as_of}): bridge "
          f"${cost.bridge:.5f}, WebSocket ${cost.websocket:.6f} ({cost.ratio:.0f}x)")
    goals.record("realtime SSE", "bridge peak memory", f"<= {MEMORY_GOAL * MEMORY_MB:.0f} MB",
                 f"{figures['peak_mb']:.0f} MB", figures["peak_mb"] <= MEMORY_GOAL * MEMORY_MB)
    goals.record("realtime SSE", "bridge CPU per event", "-", f"{cpu_ms_per_event:.2f} ms", None)
    goals.record("realtime SSE", "cost per client-hour", "-",
                 f"${cost.bridge:.4f} vs WS ${cost.websocket:.6f}", None)


if __name__ == "__main__":
    report()
    goals.print_table()

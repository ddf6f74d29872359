"""A webhook receiver on loopback for tests: a threaded HTTP server that verifies every delivery with the
`standardwebhooks` library and answers from a script (a status per call, then a default)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    headers: dict[str, str]
    body: dict[str, Any]
    verified: bool
    status: int


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    hang_s: float = 0.0  # wait this long before answering (a receiver that never answers in time)


class Receiver:
    """`script` answers calls in order; `default` every later call. `secret` verifies (None: not checked)."""

    def __init__(self, default: Answer | None = None) -> None:
        self.script: list[Answer] = []
        self.default = default or Answer()
        self.secrets: list[str] = []
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    answer = receiver.script.pop(0) if receiver.script else receiver.default
                    verified = any(receiver._verifies(s, raw, headers) for s in receiver.secrets)
                    receiver.received.append(Received(headers, json.loads(raw or b"{}"), verified, answer.status))
                if answer.hang_s:
                    time.sleep(answer.hang_s)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def _verifies(secret: str, raw: bytes, headers: dict[str, str]) -> bool:
        try:
            Webhook(secret).verify(raw, headers)
            return True
        except Exception:
            return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} deliveries, got {len(self.received)}")

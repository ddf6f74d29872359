"""One webhook POST over a real socket on loopback: redirects (not followed, or checked at every hop), timeouts,
the body excerpt, and the pinned address with the original Host header."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shared.webhooks.transport import EXCERPT_BYTES, post

ROUTES: dict[str, tuple[int, dict[str, str], bytes, float]] = {}
SEEN: list[dict[str, str]] = []


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        SEEN.append({k.lower(): v for k, v in self.headers.items()})
        status, headers, body, hang = ROUTES.get(self.path, (200, {}, b"ok", 0.0))
        time.sleep(hang)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_redirect_is_not_followed_by_default(base: str) -> None:
    ROUTES["/moved"] = (302, {"Location": "/elsewhere"}, b"", 0.0)
    outcome = post(f"{base}/moved", b"{}", {}, timeout_s=2, allow_loopback=True)
    assert outcome.status == 302 and outcome.error == "redirect"


def test_a_followed_redirect_is_checked_like_the_first_url(base: str) -> None:
    # Given redirects allowed, and a receiver redirecting to the metadata service
    ROUTES["/to-metadata"] = (307, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"", 0.0)
    ROUTES["/to-local"] = (307, {"Location": "/final"}, b"", 0.0)
    # Then the hop is refused before any connection, while a hop to an allowed target is followed
    refused = post(f"{base}/to-metadata", b"{}", {}, timeout_s=2, allow_loopback=True, max_redirects=2)
    followed = post(f"{base}/to-local", b"{}", {}, timeout_s=2, allow_loopback=True, max_redirects=2)
    assert refused.status is None and refused.error == "refused"
    assert followed.status == 200


def test_a_slow_receiver_times_out(base: str) -> None:
    ROUTES["/slow"] = (200, {}, b"", 2.0)
    outcome = post(f"{base}/slow", b"{}", {}, timeout_s=0.5, allow_loopback=True)
    assert outcome.status is None and outcome.error == "timeout"


def test_only_the_first_kilobyte_of_the_answer_is_kept(base: str) -> None:
    ROUTES["/big"] = (500, {"Retry-After": "7"}, b"e" * 10_000, 0.0)
    outcome = post(f"{base}/big", b"{}", {}, timeout_s=2, allow_loopback=True)
    assert outcome.status == 500 and len(outcome.excerpt) == EXCERPT_BYTES and outcome.retry_after == "7"


def test_the_pinned_connection_keeps_the_hosts_name(base: str) -> None:
    # Given a name that resolves (through the resolver the check uses) to the loopback receiver
    port = base.rsplit(":", 1)[1]
    outcome = post(f"http://hooks.example:{port}/named", b"{}", {"x-extra": "1"}, timeout_s=2,
                   allow_loopback=True, resolve=lambda host, p: ["127.0.0.1"])
    # Then the request reached it with the original Host header and the subscription's header
    assert outcome.status == 200
    assert SEEN[-1]["host"] == f"hooks.example:{port}" and SEEN[-1]["x-extra"] == "1"

"""A fake captcha siteverify endpoint on loopback: Turnstile's and hCaptcha's documented request and answer.

It takes the form-encoded POST (`secret`, `response`, `remoteip`, hCaptcha's `sitekey`) and answers
`{"success": true, ...}` when the secret is the one it was given and the response is in `good_responses`
(each usable once, as the providers' are), else `{"success": false, "error-codes": [...]}`.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeSiteverify:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.good_responses: set[str] = set()
        self.received: list[dict[str, str]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                answer = fake.answer(form, self.headers.get("content-type", ""))
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/siteverify"

    def answer(self, form: dict[str, str], content_type: str) -> dict[str, object]:
        with self._lock:
            self.received.append(form)
            if "application/x-www-form-urlencoded" not in content_type:
                return {"success": False, "error-codes": ["bad-request"]}
            if form.get("secret") != self.secret:
                return {"success": False, "error-codes": ["invalid-input-secret"]}
            response = form.get("response", "")
            if response not in self.good_responses:
                return {"success": False, "error-codes": ["invalid-input-response"]}
            self.good_responses.discard(response)  # single use, as both providers' tokens are
            return {"success": True, "challenge_ts": "2026-01-01T00:00:00Z", "hostname": "example.com",
                    "error-codes": []}

    def __enter__(self) -> FakeSiteverify:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

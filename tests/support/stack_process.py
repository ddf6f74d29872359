"""Runs `lambdabase run` as a separate process on a free loopback port, as a user would."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.rate_limits import SUITE_RATE_LIMITS_ENV

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StackProcess:
    def __init__(self, data_dir: Path, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.env = env or {}
        self.proc: subprocess.Popen[str] | None = None
        self.log_path = data_dir.parent / f"stack-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def client(self) -> httpx.Client:
        """An HTTP client of this stack (InProcessStack has the same method, so tests move between suites)."""
        return httpx.Client(base_url=self.url, timeout=30)

    def start(self, timeout: float = 60.0) -> StackProcess:
        # Nothing of this test process's own configuration (another suite's LB_* settings, an in-process
        # stack's secret ARNs) reaches the stack: only what is given here.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("LB_")}
        env = {**inherited, **SUITE_RATE_LIMITS_ENV, "LB_PORT": str(self.port), "LB_DATA_DIR": str(self.data_dir),
               **self.env}
        for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.pop(key, None)
        self.log = self.log_path.open("a")
        self.proc = subprocess.Popen([sys.executable, "-m", "local.cli", "run"], cwd=ROOT, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        # one client for the whole wait: httpx.get would build a client (and its TLS context, ~20 ms) a try
        with httpx.Client(timeout=1) as probe:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"local stack exited early:\n{self.logs()}")
                try:
                    if probe.get(self.url + "/api/health").status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
        raise RuntimeError(f"local stack did not answer in {timeout}s:\n{self.logs()}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.log.close()
        return code

    def discard(self) -> None:
        """Stop a stack whose data dir is thrown away: killed, so it skips the snapshot a graceful stop writes
        (seconds on a stack a suite has filled). Tests of stopping use stop()."""
        if self.proc is not None and self.proc.poll() is None:
            self.stop(signal.SIGKILL)

    def logs(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def moto_endpoint(self) -> str:
        found = re.search(r"moto \(AWS\)\s+(\S+)", self.logs())
        assert found, "the banner names moto's endpoint"
        return found.group(1)

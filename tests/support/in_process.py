"""The local stack inside the test process: moto, the resources, pollers and the gateway's ASGI app, no HTTP socket.

Requests go through Starlette's TestClient straight into the gateway app of `local.gateway`, which routes them
(`local.routing`), builds API Gateway v2 events (`local.events`) and calls each function's `handler(event,
context)` (`local.invoke`), exactly as `lambdabase run` does behind uvicorn. `local.stack.LocalStack` starts moto,
provisions, restores, bootstraps the superuser and runs the stream/queue pollers, so counters and events work.

An in-process stack registers its client under its URL, so `Api(stack.url)` and `stack.client()` reach it
without a socket; code written for `StackProcess` (url, data_dir, logs, moto_endpoint) runs unchanged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from tests.support.process_caches import clear_process_caches
from tests.support.rate_limits import SUITE_RATE_LIMITS_ENV
from tests.support.stack_process import free_port

# Loopback, so per-IP rate limits and throttles see what `lambdabase run` would see.
LOOPBACK = "127.0.0.1"

# the standard logger behind shared.observability's Powertools Logger(service="lambdabase")
SERVICE_LOGGER = "lambdabase"

_clients: dict[str, httpx.Client] = {}


def client_for(url: str) -> httpx.Client | None:
    """The in-process client serving `url`, if an in-process stack runs there."""
    return _clients.get(url.rstrip("/"))


def _function_modules() -> dict[str, ModuleType]:
    return {n: m for n, m in sys.modules.items() if n == "functions" or n.startswith("functions.")}


def cold_start() -> None:
    """Make every function's next invocation a cold start: handlers re-imported, per-cold-start caches dropped.

    One process serves every function, so a change of settings reaches them only as it would on Lambda after a
    new deployment: the function modules (whose apps read their guards' settings at import) are imported
    afresh, and every cached settings object, service, client, keyring and limiter in shared/ is dropped.
    """
    from local.invoke import forget_handlers

    forget_handlers()
    for name in _function_modules():
        del sys.modules[name]
    clear_process_caches()


def _forget_saved_settings() -> None:
    """Delete the runtime settings item, so every function falls back to the env defaults (tests only)."""
    from shared import resources
    from shared.app_settings.store import SETTINGS_PK, SETTINGS_SK
    from shared.aws import client

    client("dynamodb").delete_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                   Key={"pk": {"S": SETTINGS_PK}, "sk": {"S": SETTINGS_SK}})


class _LogLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


class InProcessStack:
    """`lambdabase run` without the server: the same LocalStack and gateway, reached through an ASGI transport."""

    def __init__(self, data_dir: Path, env: Mapping[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.env = dict(env or {})
        # no socket listens there: the port only names this stack (Host header, registry key, banner)
        self.port = free_port()
        self._stack: Any = None
        self._http: httpx.Client | None = None
        self._extra_clients: list[httpx.Client] = []
        self._logs = _LogLines()
        self._saved_env: dict[str, str] = {}
        self._saved_modules: dict[str, ModuleType] = {}

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> InProcessStack:
        from local.cli import LOCAL_DEFAULTS
        from local.stack import LocalConfig, LocalStack

        # What the process had is put back by stop(), so suites running after this one see no trace of it.
        self._saved_env, self._saved_modules = dict(os.environ), _function_modules()
        os.environ.update({**LOCAL_DEFAULTS, **SUITE_RATE_LIMITS_ENV,
                           "LB_MAIL_OUTBOX_DIR": str(self.data_dir.resolve() / "mail"), **self.env})
        cold_start()
        logging.getLogger(SERVICE_LOGGER).addHandler(self._logs)
        self._stack = LocalStack(LocalConfig(port=self.port, data_dir=self.data_dir, snapshot_interval_s=3600))
        self._stack.start()
        self._http = self._test_client(LOOPBACK)
        _clients[self.url] = self._http
        return self

    def stop(self) -> None:
        _clients.pop(self.url, None)
        try:
            for client in [*self._extra_clients, *([self._http] if self._http else [])]:
                client.__exit__(None, None, None)
            if self._stack is not None:
                # the data folder is a test's and thrown away: a final snapshot of a suite's data is wasted work
                self._stack.stop(save=False)
        finally:
            logging.getLogger(SERVICE_LOGGER).removeHandler(self._logs)
            self._http, self._stack, self._extra_clients = None, None, []
            os.environ.clear()
            os.environ.update(self._saved_env)
            cold_start()
            sys.modules.update(self._saved_modules)

    def client(self, source_ip: str | None = None) -> httpx.Client:
        """An HTTP client of this stack: the shared loopback one, or one whose requests come from `source_ip`
        (for a module whose rate limits and sign-in throttles must not share counters with other modules)."""
        assert self._http is not None, "start() the stack first"
        if source_ip is None:
            return self._http
        client = self._test_client(source_ip)
        self._extra_clients.append(client)
        return client

    def _test_client(self, source_ip: str) -> httpx.Client:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Starlette suggests httpx2; httpx is what the suites use
            from starlette.testclient import TestClient
        from local.gateway import create_gateway

        # Unhandled errors become 500s, as uvicorn answers them, instead of raising into the test; the
        # user agent is httpx's own, which sessions record, as StackProcess clients send it.
        client = TestClient(create_gateway(), base_url=self.url, client=(source_ip, 50000),
                            raise_server_exceptions=False, follow_redirects=False,
                            headers={"user-agent": f"python-httpx/{httpx.__version__}"})
        return client.__enter__()

    @contextlib.contextmanager
    def configured(self, **env: str) -> Iterator[InProcessStack]:
        """Run the block with extra settings (e.g. LB_QUERY_BUDGET), as if every function were redeployed.

        Env values of runtime settings (rate limits, batch, app URL, mail sender) are only the defaults of a
        deployment that never saved its settings, so the saved settings item is dropped on the way in and out:
        a module before this one that PATCHed /api/settings would otherwise shadow these values.
        """
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        _forget_saved_settings()
        cold_start()
        try:
            yield self
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            _forget_saved_settings()
            cold_start()

    def logs(self) -> str:
        """What the functions logged so far, a message a line (the process's output under `lambdabase run`)."""
        return "\n".join(self._logs.lines)

    def moto_endpoint(self) -> str:
        assert self._stack is not None and self._stack.moto is not None
        return str(self._stack.moto.endpoint)

"""The local stack inside the test process: moto, the resources, pollers and the gateway's ASGI app, no HTTP socket.

Requests go through Starlette's TestClient straight into the gateway app of `local.gateway`, which routes them
(`local.routing`), builds API Gateway v2 events (`local.events`) and calls each function's `handler(event,
context)` (`local.invoke`), exactly as `lambdabase run` does behind uvicorn. `local.stack.LocalStack` starts moto,
provisions, restores, bootstraps the superuser and runs the stream/queue pollers, so counters and events work.

An in-process stack registers its client under its URL, so `Api(stack.url)` and `stack.client()` reach it
without a socket; code written for `StackProcess` runs unchanged.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from tests.support.stack_process import free_port

# Loopback, so the local rate-limit exemption and per-IP throttles see what `lambdabase run` would see.
CLIENT_ADDRESS = ("127.0.0.1", 50000)

_clients: dict[str, httpx.Client] = {}


def client_for(url: str) -> httpx.Client | None:
    """The in-process client serving `url`, if an in-process stack runs there."""
    return _clients.get(url.rstrip("/"))


def cold_start() -> None:
    """Forget every per-cold-start cache of the functions (settings, services, clients, keyrings, limiters).

    One process serves every function, so a change of settings reaches them only as it would on Lambda after a
    new deployment: every cached settings object and everything built from one is dropped.
    """
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(("shared.", "functions.")):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == name:
                value.cache_clear()


class InProcessStack:
    """`lambdabase run` without the server: the same LocalStack and gateway, reached through an ASGI transport."""

    def __init__(self, data_dir: Path, env: Mapping[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.env = dict(env or {})
        # no socket listens there: the port only names this stack (Host header, registry key, banner)
        self.port = free_port()
        self._saved_env: dict[str, str] | None = None
        self._stack: Any = None
        self._http: httpx.Client | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> InProcessStack:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Starlette suggests httpx2; httpx is what the suites use
            from starlette.testclient import TestClient

        from local.cli import LOCAL_DEFAULTS
        from local.gateway import create_gateway
        from local.stack import LocalConfig, LocalStack

        self._saved_env = dict(os.environ)
        os.environ.update({**LOCAL_DEFAULTS, "LB_MAIL_OUTBOX_DIR": str(self.data_dir.resolve() / "mail"),
                           **self.env})
        cold_start()
        config = LocalConfig(port=self.port, data_dir=self.data_dir, snapshot_interval_s=3600)
        self._stack = LocalStack(config)
        self._stack.start()
        client = TestClient(create_gateway(), base_url=self.url, client=CLIENT_ADDRESS,
                            raise_server_exceptions=False, follow_redirects=False)
        self._http = client.__enter__()
        _clients[self.url] = self._http
        return self

    def stop(self) -> None:
        _clients.pop(self.url, None)
        try:
            if self._http is not None:
                self._http.__exit__(None, None, None)
            if self._stack is not None:
                self._stack.stop()
        finally:
            self._http = self._stack = None
            if self._saved_env is not None:
                os.environ.clear()
                os.environ.update(self._saved_env)
            cold_start()

    def client(self) -> httpx.Client:
        """An HTTP client of this stack (shared: it holds no per-test state)."""
        assert self._http is not None, "start() the stack first"
        return self._http

    @contextlib.contextmanager
    def configured(self, **env: str) -> Iterator[InProcessStack]:
        """Run the block with extra settings (e.g. LB_QUERY_BUDGET), as if every function were redeployed."""
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        cold_start()
        try:
            yield self
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            cold_start()

    def moto_endpoint(self) -> str:
        assert self._stack is not None and self._stack.moto is not None
        return str(self._stack.moto.endpoint)

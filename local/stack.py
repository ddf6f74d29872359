"""Starts and stops the whole local stack: moto, resources, snapshots, pollers, schedules, sweepers and gateway."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import uvicorn
from pydantic import ConfigDict, Field
from starlette.applications import Starlette

from local import cloud, journal, moto_patches, snapshot
from local.gateway import MANAGEMENT_PREFIX, create_gateway
from local.invoke import invoke
from local.lifecycle import sweep_lifecycle
from local.log_subscriptions import start_log_subscriptions
from local.periodic import PeriodicTask
from local.pollers import start_pollers
from local.schedules import start_schedules
from local.ttl import sweep_expired
from shared import resources
from shared.observability import logger
from shared.tools.env_settings import EnvSettings


class LocalConfig(EnvSettings):
    model_config = ConfigDict(frozen=False)

    host: str = "127.0.0.1"
    port: int = 8090
    data_dir: Path = Path("lb_data")
    snapshot_interval_s: float = Field(30.0, gt=0)
    ttl_interval_s: float = Field(5.0, gt=0)
    journal_fsync: bool = False
    # Every mapping's batching window, in place of the declared one (None: as declared, as deployed). Test
    # suites set 0, as they raise rate limits: a consumer then reads a change a poll after it lands, instead of
    # up to a window later, and a webhook retry comes its delay after the attempt.
    batching_window_s: int | None = Field(None, ge=0)


STATE_FILE = ".stack.json"
# How long a stop waits in all for its threads to end (a poller may be inside an invocation).
STOP_JOIN_S = 10.0


def bootstrap_superuser() -> None:
    """Create or update the superuser named by LB_SUPERUSER_EMAIL / LB_SUPERUSER_PASSWORD, if set."""
    email, password = os.environ.get("LB_SUPERUSER_EMAIL"), os.environ.get("LB_SUPERUSER_PASSWORD")
    if not (email and password):
        return
    from shared.accounts.superusers import upsert_superuser
    from shared.composition import composition

    svc = composition()
    record_id, created = upsert_superuser(svc.collections, svc.records, svc.hooks, email, password)
    logger.info("superuser " + ("created" if created else "updated"), extra={"email": email, "id": record_id})


def first_run_link(base_url: str) -> str | None:
    """While no superuser exists, PocketBase's one-time dashboard link that creates the first one."""
    from shared.accounts.collaborators import accounts
    from shared.accounts.installer import install_link, installer_token
    from shared.auth.api_tokens_repository import get_api_token_repository

    token = installer_token(get_api_token_repository(accounts().config.system_table))
    return install_link(base_url, token) if token else None


class LocalStack:
    """The emulated cloud behind the gateway; start() and stop() bracket the server's life."""

    def __init__(self, config: LocalConfig) -> None:
        self.config = config
        self.moto: cloud.MotoCloud | None = None
        self.journal: journal.Journal | None = None
        self._saved_stamp: object = None
        self._threads: list = []
        self.install_link: str | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.config.host}:{self.config.port}"

    def start(self) -> None:
        data_dir = self.config.data_dir
        snapshot.private_dir(data_dir)
        # Stream sequence numbers only grow across restarts, as on AWS: the counters' exactly-once check needs it.
        moto_patches.raise_sequence_floor(snapshot.highest_sequence_number(data_dir))
        self.moto = cloud.start_moto(self.config.host)
        os.environ["LB_WS_MANAGEMENT_ENDPOINT"] = self.base_url + MANAGEMENT_PREFIX
        os.environ["LB_WS_URL"] = f"ws://{self.config.host}:{self.config.port}/{resources.WEBSOCKET_STAGE}"
        # Presigned S3 URLs a client follows point at moto's loopback server (AWS: S3's own endpoint).
        os.environ["LB_S3_PUBLIC_ENDPOINT"] = self.moto.endpoint
        cloud.provision(data_dir)
        snapshot.restore(data_dir)
        journal.recover(data_dir)
        # The restore's writes are no changes: consumers start after them, as a mapping starts at LATEST.
        moto_patches.skip_stream_backlog()
        self.journal = journal.Journal(data_dir, fsync=self.config.journal_fsync).open()
        bootstrap_superuser()
        self.state_file.write_text(json.dumps({"pid": os.getpid(), "url": self.base_url,
                                               "moto": self.moto.endpoint}))
        self._threads = [*start_pollers(invoke, self.config.batching_window_s), *start_schedules(),
                         start_log_subscriptions(invoke),
                         PeriodicTask("ttl-sweeper", self.config.ttl_interval_s, sweep_expired),
                         PeriodicTask("lifecycle-sweeper", self.config.ttl_interval_s, sweep_lifecycle),
                         PeriodicTask("snapshot", self.config.snapshot_interval_s, self.save_if_changed)]
        for thread in self._threads:
            if not thread.is_alive():
                thread.start()

    def save(self) -> None:
        """Snapshot the data folder, rotating the journal around it."""
        stamp = snapshot.state_stamp()
        snapshot.save(self.config.data_dir, self.journal)
        self._saved_stamp = stamp

    def save_if_changed(self) -> None:
        """The periodic snapshot: skipped while nothing changed since the last (an idle stack scans nothing)."""
        if snapshot.state_stamp() != self._saved_stamp:
            self.save()

    def stop(self, *, save: bool = True) -> None:
        """Stop every thread and moto; `save=False` skips the final snapshot (a test's throwaway data folder)."""
        for thread in self._threads:
            idle = getattr(thread, "idle", None)
            if idle is not None:
                idle.wait(timeout=5)  # let consumers finish what the stream already holds
            thread.stop()
        # Joined before moto stops: a thread still running would deliver its last batch (the log
        # subscriptions' final delivery, a poller's invoke) into whatever cloud runs next in this process.
        deadline = time.monotonic() + STOP_JOIN_S
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if save:
            self.save()
        if self.journal is not None:
            self.journal.close()
            self.journal = None
        self.state_file.unlink(missing_ok=True)
        if self.moto:
            self.moto.stop()

    @property
    def state_file(self) -> Path:
        """Tells `lambdabase` commands that a stack is running on this data folder, and where its moto is."""
        return self.config.data_dir / STATE_FILE

    def banner(self) -> str:
        ws = f"ws://{self.config.host}:{self.config.port}/{resources.WEBSOCKET_STAGE}"
        lines = [
            f"Lambdabase local stack on {self.base_url}",
            f"  REST API      {self.base_url}/api/  (functions: "
            + ", ".join(f.name for f in resources.FUNCTIONS if f.kind == "http") + ")",
            f"  WebSocket     {ws}",
            f"  moto (AWS)    {self.moto.endpoint if self.moto else '-'}",
            f"  dashboard     {self.base_url}/_/",
            f"  data folder   {self.config.data_dir.resolve()}",
        ]
        if self.install_link:
            lines += ["", "(!) No superuser yet. Open this one-time link (valid 30 minutes) to create the first one:",
                      f"    {self.install_link}",
                      "    (or run: lambdabase superuser upsert EMAIL PASSWORD)"]
        return "\n".join(lines)


def serve(config: LocalConfig) -> None:
    """Run the local stack in the foreground until SIGINT or SIGTERM."""
    stack = LocalStack(config)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        stack.start()
        # `lambdabase run` only, as `pocketbase serve`: an in-process test stack creates no placeholder superuser
        stack.install_link = first_run_link(stack.base_url)
        print(stack.banner(), flush=True)
        try:
            yield
        finally:
            stack.stop()
            print("Lambdabase local stack stopped; data saved to", config.data_dir.resolve(), flush=True)

    app = create_gateway(lifespan)
    server = uvicorn.Server(uvicorn.Config(app, host=config.host, port=config.port, log_level="warning",
                                           ws="websockets-sansio", lifespan="on",
                                           h11_max_incomplete_event_size=1 << 20,  # the gateway caps at 10 KiB
                                           proxy_headers=False))  # sourceIp is the TCP peer, as on API Gateway
    # uvicorn shuts down gracefully, then re-raises the signal to the handlers that were there before it;
    # those make a clean stop exit 0.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with contextlib.suppress(KeyboardInterrupt):
        server.run()

"""A stopped local stack leaves nothing running: a delivery still under way when stop() is called is made before
stop() returns (and so before moto stops), never later into the next cloud this process starts."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from local.log_subscriptions import LogSubscriptions
from local.stack import LocalConfig, LocalStack
from shared import resources
from shared.logs.emitter import request_log_line
from shared.logs.model import LogEntry, new_log_id
from shared.logs.repository import StoredLog


def test_stop_returns_after_the_last_log_delivery_is_made(tmp_path: Path) -> None:
    # Given a stack whose log subscriptions deliver a line by an invocation that takes a while
    delivered: list[str] = []
    under_way = threading.Event()

    def slow_invoke(function: str, event: dict[str, Any]) -> None:
        under_way.set()
        time.sleep(0.3)
        delivered.append(function)

    subscriptions = LogSubscriptions(slow_invoke, window_s=0.01)
    stack = LocalStack(LocalConfig(port=8090, data_dir=tmp_path))
    stack._threads = [subscriptions]
    subscriptions.start()
    source = resources.log_subscriptions()[0]
    entry = LogEntry(id=new_log_id(0), created_ms=0, level=0, message="GET /api/health",
                     data={"type": "request", "url": "/api/health", "status": 200, "execTime": 0.5})
    subscriptions.accept(source.source_function, 0, request_log_line(StoredLog(entry, 86_400)))

    assert under_way.wait(5)

    # When the stack stops while that delivery is under way
    stack.stop(save=False)

    # Then the delivery was made and the thread has ended by the time stop() returns
    assert delivered == [source.destination]
    assert not subscriptions.is_alive()
    assert not any(t is subscriptions for t in threading.enumerate())

"""Fan-out delivery: one change's event frames posted to their connections, concurrently, in batches, with retries.

The posts of one change are split into batches handed to a bounded thread pool (each worker posts its batch
one by one; boto3 clients are thread-safe). Per post:
- 410 (gone): the connection is closed in the store (its subscriptions with it) and not posted to again;
- throttled, or any other passing fault: kept for the next round, after a full-jitter backoff;
- too large (over 128 KB): dropped and logged, since no retry makes it fit.
Posts that still fail after the last round are handed back, so the caller can retry exactly those later
(shared/realtime/fanout.py) and nobody already served gets the event twice.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import msgspec

from shared.dynamo_batch import backoff
from shared.observability import logger
from shared.realtime.sender import ConnectionGoneError, DeliveryError, MessageSender, MessageTooLargeError
from shared.realtime.subscriptions import SubscriptionStore

# Posts in flight at once: API Gateway answers a post in tens of milliseconds, so waiting dominates, not CPU.
DEFAULT_WORKERS = 32
# Posts one worker takes at a time: big enough that 1,000 posts are a few dozen tasks, small enough that a
# slow connection delays few others.
DEFAULT_BATCH_SIZE = 25
# Rounds of posting per invocation (the first and its retries); botocore also retries each throttled call.
DEFAULT_ROUNDS = 4

Outcome = Literal["delivered", "gone", "retry", "dropped"]


class Post(msgspec.Struct, frozen=True):
    """One event frame for one subscription of one connection."""

    connection_id: str
    topic: str
    data: bytes


class DeliveryReport(msgspec.Struct):
    delivered: int = 0
    gone: set[str] = msgspec.field(default_factory=set)
    dropped: int = 0
    # what still failed after every round, for a later retry of just these
    failed: list[Post] = msgspec.field(default_factory=list)
    rounds: int = 0


class Deliverer:
    """Posts frames for the fan-out; one per function instance, its pool created on first use."""

    def __init__(self, sender: MessageSender, store: SubscriptionStore, *, workers: int = DEFAULT_WORKERS,
                 batch_size: int = DEFAULT_BATCH_SIZE, rounds: int = DEFAULT_ROUNDS,
                 sleep: Callable[[float], None] = time.sleep,
                 close: Callable[[list[str]], None] | None = None) -> None:
        self.sender = sender
        self.store = store
        # What ends a connection found gone: by default the store forgets it; the composition root may pass
        # the protocol's own ending (which also announces the presence it leaves).
        self.close = close or self._forget
        self.workers = workers
        self.batch_size = batch_size
        self.rounds = rounds
        self.sleep = sleep
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="fanout")
            return self._pool

    def deliver(self, posts: list[Post]) -> DeliveryReport:
        """Post every frame, retrying what failed; what is handed back in `failed` was not delivered."""
        report = DeliveryReport()
        pending = posts
        for round_number in range(self.rounds):
            if not pending:
                break
            if round_number:
                backoff(round_number - 1, self.sleep)
            report.rounds += 1
            outcomes = self._post_all(pending)
            retry: list[Post] = []
            newly_gone: set[str] = set()
            for post, outcome in zip(pending, outcomes, strict=True):
                if outcome == "delivered":
                    report.delivered += 1
                elif outcome == "gone":
                    newly_gone.add(post.connection_id)
                elif outcome == "dropped":
                    report.dropped += 1
                else:
                    retry.append(post)
            if newly_gone - report.gone:
                # API Gateway's 410: the socket is closed for good, so its subscriptions go too.
                self.close(sorted(newly_gone - report.gone))
            report.gone |= newly_gone
            pending = [p for p in retry if p.connection_id not in report.gone]
        report.failed = pending
        return report

    def _forget(self, connection_ids: list[str]) -> None:
        for connection_id in connection_ids:
            self.store.close(connection_id)

    def _post_all(self, posts: list[Post]) -> list[Outcome]:
        # Shared by the round's batches, so a connection found gone in one is not posted to by the others.
        gone: set[str] = set()
        if len(posts) <= self.batch_size:
            return self._post_batch(posts, gone)
        size = max(1, min(self.batch_size, math.ceil(len(posts) / self.workers)))
        batches = [posts[i:i + size] for i in range(0, len(posts), size)]
        outcomes: list[Outcome] = []
        for result in self._executor().map(lambda batch: self._post_batch(batch, gone), batches):
            outcomes.extend(result)
        return outcomes

    def _post_batch(self, posts: list[Post], gone: set[str]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for post in posts:
            if post.connection_id in gone:
                outcomes.append("gone")
                continue
            outcomes.append(self._post_one(post))
            if outcomes[-1] == "gone":
                gone.add(post.connection_id)
        return outcomes

    def _post_one(self, post: Post) -> Outcome:
        try:
            self.sender.post(post.connection_id, post.data)
        except ConnectionGoneError:
            return "gone"
        except MessageTooLargeError:
            logger.warning("realtime event over 128 KB dropped", extra={
                "connection": post.connection_id, "topic": post.topic, "bytes": len(post.data)})
            return "dropped"
        except DeliveryError as exc:
            logger.info("realtime post to retry", extra={"connection": post.connection_id, "error": str(exc)})
            return "retry"
        except Exception:
            # An unexpected fault of one post must not lose the others: it is retried like a passing one.
            logger.exception("realtime post failed", extra={"connection": post.connection_id})
            return "retry"
        return "delivered"

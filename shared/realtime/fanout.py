"""Fan-out of record changes to WebSocket subscribers: match, judge per audience, shape, deliver, in stream order.

For each change of a stream batch, in order:
1. match: the subscriptions of its collection and of its record (SubscriptionStore.matching, two Queries);
2. judge: subscribers grouped into audiences (fanout_access.py); each audience's auth is re-checked, then the
   listRule or viewRule and its `filter` run once on the record (the old image for a delete);
3. shape: the record presented once per audience as the REST API would answer it (fanout_shaping.py);
4. deliver: every frame posted concurrently (fanout_delivery.py).
A change is delivered completely before the next one starts, so one record's events reach a subscriber in
write order. When some posts still fail, the change's debt goes to the ledger (fanout_ledger.py) and the
change is reported as the batch's failure: Lambda re-delivers from it, nothing after it is sent meanwhile,
and the redelivery serves only those still owed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec

from shared.auth.api_tokens_repository import ApiTokenRepository
from shared.auth.refresh_repository import RefreshFamilyRepository
from shared.catalog.repository import CollectionRepository
from shared.changes.model import RecordChange
from shared.observability import logger
from shared.realtime.fanout_access import AuthCheck, TopicCache, admits, group_subscriptions
from shared.realtime.fanout_delivery import Deliverer, Post
from shared.realtime.fanout_ledger import DeliveryLedger, PendingDelivery
from shared.realtime.fanout_shaping import event_data, event_frame, present, record_of
from shared.realtime.sender import MessageSender
from shared.realtime.subscriptions import SubscriptionStore
from shared.records.repository import RecordRepository
from shared.records.scope import RecordScope

# Stream deliveries of one change that may fail before the fan-out stops owing it to the connections that keep
# failing; kept below the mapping's invocations (retry_attempts + 1) so that the fan-out ends it, not Lambda's
# failure queue, which would also take the changes behind it in the batch, never sent.
DEFAULT_MAX_ATTEMPTS = 3
# A change to thousands of subscribers takes seconds; one is not started with less time left than this, so the
# function ends on its own terms (the rest of the batch redelivered) rather than by a timeout, whose retry would
# send the changes already delivered again.
MIN_SECONDS_FOR_A_CHANGE = 10.0


class FanOutReport(msgspec.Struct):
    changes: int = 0
    audiences: int = 0
    posts: int = 0
    delivered: int = 0
    gone: int = 0
    # connections given up on (still failing after every redelivery): disconnected so their client reconnects
    abandoned: int = 0
    # the sequence number Lambda is to resume from (the first change not fully delivered), if any
    failed_sequence: str | None = None
    subscriptions_read: int = 0
    owed: dict[str, list[str]] = msgspec.field(default_factory=dict)


class FanOut:
    def __init__(self, store: SubscriptionStore, collections: CollectionRepository, records: RecordRepository,
                 families: RefreshFamilyRepository, sender: MessageSender, deliverer: Deliverer,
                 ledger: DeliveryLedger, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
                 clock: Callable[[], float] = time.time, api_tokens: ApiTokenRepository | None = None) -> None:
        self.store = store
        self.collections = collections
        self.records = records
        self.families = families
        self.sender = sender
        self.deliverer = deliverer
        self.ledger = ledger
        self.max_attempts = max_attempts
        self.clock = clock
        self.api_tokens = api_tokens

    def handle(self, changes: list[RecordChange],
               seconds_left: Callable[[], float] | None = None) -> FanOutReport:
        """Fan out a stream batch in order; stops at the first change some subscriber is still owed, or that
        there is too little time left to start (`seconds_left`: the invocation's remaining time)."""
        report = FanOutReport()
        auths = AuthCheck(self.collections, self.records, self.families, self.clock, self.api_tokens)
        topics = TopicCache()
        for position, change in enumerate(changes):
            if position and seconds_left is not None and seconds_left() < MIN_SECONDS_FOR_A_CHANGE:
                report.failed_sequence = change.sequence_number  # nothing of it sent: redelivered whole
                return report
            report.changes += 1
            auths.forget(change.collection_id, change.record_id)
            posts = self.posts_for(change, auths, topics, report)
            # A redelivery after a partial failure starts at the failed change, so only a batch's first change
            # can have a debt: one ledger read per batch with subscribers, not one per change.
            pending = self.ledger.pending(change.sequence_number) if position == 0 and posts else None
            if pending is not None:
                posts = [p for p in posts if pending.owes(p.connection_id, p.topic)]
            report.posts += len(posts)
            delivery = self.deliverer.deliver(posts)
            report.delivered += delivery.delivered
            report.gone += len(delivery.gone)
            if delivery.failed:
                if self._owe(change, delivery.failed, pending, report):
                    report.failed_sequence = change.sequence_number
                    return report
            elif pending is not None:
                self.ledger.clear(change.sequence_number)
        return report

    def posts_for(self, change: RecordChange, auths: AuthCheck, topics: TopicCache,
                  report: FanOutReport) -> list[Post]:
        """Every frame this change owes its subscribers, each shaped for its audience."""
        subscriptions = self.store.matching(change.collection_id, change.record_id)
        report.subscriptions_read += len(subscriptions)
        if not subscriptions:
            return []
        stored = self.collections.find(change.collection_id)
        record = record_of(change)
        if stored is None or record is None:
            return []
        collection = stored.collection
        posts: list[Post] = []
        for group in group_subscriptions(subscriptions, auths, topics):
            report.audiences += 1
            scope = RecordScope(self.collections, self.records, group.request())
            if not admits(scope.rules, collection, record, group.audience.kind):
                continue
            data = event_data(change.action, present(scope.presenter, collection, record, dict(group.audience.query)))
            posts.extend(Post(sub.connection_id, sub.topic, event_frame(sub.topic, data))
                         for sub in group.subscriptions)
        return posts

    def _owe(self, change: RecordChange, failed: list[Post], pending: PendingDelivery | None,
             report: FanOutReport) -> bool:
        """Write down who is still owed this change; False when it has failed too often and is given up."""
        owed: dict[str, list[str]] = {}
        for post in failed:
            owed.setdefault(post.connection_id, []).append(post.topic)
        attempts = (pending.attempts if pending else 0) + 1
        if attempts >= self.max_attempts:
            # Every failure visible: the connections that never took the change are named, then dropped.
            logger.error("realtime delivery given up", extra={
                "sequence_number": change.sequence_number, "connections": sorted(owed), "attempts": attempts})
            for connection_id in owed:
                self.sender.disconnect(connection_id)
            self.deliverer.close(sorted(owed))
            report.abandoned += len(owed)
            self.ledger.clear(change.sequence_number)
            return False
        self.ledger.save(PendingDelivery(sequence_number=change.sequence_number, owed=owed, attempts=attempts))
        report.owed = owed
        return True

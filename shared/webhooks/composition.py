"""The deliveries function's parts, built once per cold start: subscriptions, log, queues, idempotency."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from shared import runtime_resources, settings
from shared.webhooks.deliverer import Deliverer
from shared.webhooks.subscriptions import CACHE_SECONDS


class WebhookSettings(settings.Observability, settings.Tables, settings.Events):
    """Queues by URL (CDK passes LB_DELIVERIES_QUEUE, LB_UNDELIVERED_QUEUE) or name (the local stack's).

    `webhooks_allow_loopback` (LB_WEBHOOKS_ALLOW_LOOPBACK) is a deployment setting, not an app setting, so that
    no superuser can point deliveries at the function's own network on AWS; the local stack turns it on
    (docs/security.md).
    """

    deliveries_queue: str = runtime_resources.DELIVERIES_QUEUE.physical_name
    undelivered_queue: str = runtime_resources.UNDELIVERED_QUEUE.physical_name
    webhooks_allow_loopback: bool = False
    # How long an instance keeps the subscriptions it read (LB_WEBHOOK_SUBSCRIPTIONS_CACHE_S): a new or changed
    # subscription is matched within it. Test suites shorten it rather than sleep through it.
    webhook_subscriptions_cache_s: float = Field(CACHE_SECONDS, gt=0)


@cache
def deliverer() -> Deliverer:
    from shared.app_settings.provider import current
    from shared.composition import composition
    from shared.events.s3_payloads import EventPayloadsBucket, S3PayloadStore
    from shared.records.context import RequestContext
    from shared.records.scope import RecordScope
    from shared.webhooks.delivery_log import get_delivery_log
    from shared.webhooks.once import PowertoolsOnce
    from shared.webhooks.queues import SqsDeliveryQueue
    from shared.webhooks.secret_store import get_secret_store
    from shared.webhooks.subscriptions import ScopeSubscriptionRecords, SubscriptionDirectory
    from shared.webhooks.system_events import EventBridgeSystemEvents

    config = settings.load(WebhookSettings)
    parts = composition()

    def system_scope() -> RecordScope:
        return RecordScope(parts.collections, parts.records, RequestContext(method="POST", system=True), parts.hooks)

    directory = SubscriptionDirectory(ScopeSubscriptionRecords(system_scope), get_secret_store(config.system_table),
                                      ttl_s=config.webhook_subscriptions_cache_s)
    return Deliverer(directory=directory, log=get_delivery_log(config.system_table),
                     queue=SqsDeliveryQueue(config.deliveries_queue),
                     dead_letters=SqsDeliveryQueue(config.undelivered_queue),
                     once=PowertoolsOnce(config.system_table), events=EventBridgeSystemEvents(config.events_bus),
                     settings=lambda: current().webhooks, allow_loopback=config.webhooks_allow_loopback,
                     payloads=S3PayloadStore(settings.load(EventPayloadsBucket).payloads_bucket))

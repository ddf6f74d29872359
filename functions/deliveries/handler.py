"""Lambda entry point of webhook deliveries: the events queue (fan-out) and the deliveries queue (attempts).

Both queues feed this function (shared/resources.py). A message of the events queue is an EventBridge entry
whose `detail` is an EventEnvelope: it becomes one delivery message per matching subscription. A delivery
message is one attempt. A batch runs concurrently, at most `webhooks.concurrencyPerEndpoint` attempts at once
to one endpoint, so a slow receiver holds back only its own deliveries; Powertools reports partial failures.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from shared.init_phase import cold_init

with cold_init():
    from aws_lambda_powertools.utilities.batch import AsyncBatchProcessor, EventType, async_process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from pydantic import ValidationError

    from shared.events.envelope import EventEnvelope
    from shared.observability import MetricUnit, instrument, logger, metrics
    from shared.webhooks.messages import DeliveryMessage, is_delivery


class _Batch:
    """One invocation's per-endpoint limits (asyncio semaphores belong to the invocation's loop)."""

    def __init__(self) -> None:
        from shared.app_settings.provider import current

        self.limit = max(1, current().webhooks.concurrency_per_endpoint)
        self.endpoints: dict[str, asyncio.Semaphore] = {}

    def gate(self, endpoint: str) -> asyncio.Semaphore:
        return self.endpoints.setdefault(endpoint, asyncio.Semaphore(self.limit))

    async def handle(self, record: SQSRecord) -> None:
        from shared.webhooks.composition import deliverer

        body = json.loads(record.body)
        parts = deliverer()
        if is_delivery(body):
            message = DeliveryMessage.model_validate(body)
            endpoint = await asyncio.to_thread(parts.endpoint_of, message)
            async with self.gate(endpoint):
                status = await asyncio.to_thread(parts.handle, message)
            metrics.add_metric(name=f"WebhookAttempts_{status}", unit=MetricUnit.Count, value=1)
            return
        try:
            envelope = EventEnvelope.model_validate(body.get("detail") or {})
        except ValidationError:
            # not an event of the catalogue (an older producer's shape): nothing a subscription can match
            logger.warning("event without an envelope skipped", extra={"event_id": body.get("id")})
            return
        sent = await asyncio.to_thread(parts.fan_out, envelope)
        metrics.add_metric(name="WebhookDeliveriesQueued", unit=MetricUnit.Count, value=len(sent))


def _handle(event: dict[str, Any], context: Any) -> Any:
    from shared.webhooks.composition import deliverer

    deliverer().once.register_context(context)
    batch = _Batch()
    return async_process_partial_response(event=event, record_handler=batch.handle,
                                          processor=AsyncBatchProcessor(event_type=EventType.SQS), context=context)


handler = instrument(_handle)

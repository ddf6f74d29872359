"""One SQS batch of the deliveries function, run concurrently with a concurrency limit per endpoint.

A message is either an EventBridge entry of the events queue (its `detail` an EventEnvelope: fanned out) or a
delivery message (one attempt). Attempts run in threads, at most `limit` at once to one host and port, so a
slow receiver holds back only its own deliveries; Powertools' AsyncBatchProcessor reports partial failures.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aws_lambda_powertools.utilities.batch import AsyncBatchProcessor, EventType, async_process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from shared.events.envelope import EventEnvelope
from shared.observability import MetricUnit, logger, metrics
from shared.webhooks.deliverer import Deliverer
from shared.webhooks.messages import DeliveryMessage, is_delivery


class DeliveryBatch:
    """One invocation's work; its semaphores belong to the invocation's event loop."""

    def __init__(self, deliverer: Deliverer, limit: int) -> None:
        self.deliverer = deliverer
        self.limit = max(1, limit)
        self.endpoints: dict[str, asyncio.Semaphore] = {}

    def _gate(self, endpoint: str) -> asyncio.Semaphore:
        return self.endpoints.setdefault(endpoint, asyncio.Semaphore(self.limit))

    async def handle(self, record: SQSRecord) -> None:
        body = json.loads(record.body)
        if is_delivery(body):
            message = DeliveryMessage.model_validate(body)
            endpoint = await asyncio.to_thread(self.deliverer.endpoint_of, message)
            async with self._gate(endpoint):
                status = await asyncio.to_thread(self.deliverer.handle, message)
            metrics.add_metric(name=f"WebhookAttempts_{status}", unit=MetricUnit.Count, value=1)
            return
        try:
            envelope = EventEnvelope.model_validate(body.get("detail") or {})
        except ValidationError:
            # not an event of the catalogue (an older producer's shape): nothing a subscription can match
            logger.warning("event without an envelope skipped", extra={"event_id": body.get("id")})
            return
        sent = await asyncio.to_thread(self.deliverer.fan_out, envelope)
        metrics.add_metric(name="WebhookDeliveriesQueued", unit=MetricUnit.Count, value=len(sent))

    def run(self, event: dict[str, Any], context: Any = None) -> Any:
        return async_process_partial_response(event=event, record_handler=self.handle,
                                              processor=AsyncBatchProcessor(event_type=EventType.SQS),
                                              context=context)

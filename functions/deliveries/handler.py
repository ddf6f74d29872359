"""Lambda entry point of webhook deliveries: the events queue (fan-out) and the deliveries queue (attempts).

Both queues feed this function (shared/resources.py); shared/webhooks/batch.py runs a batch, one event's
fan-out or one attempt per message, concurrently within `webhooks.concurrencyPerEndpoint` per endpoint.
"""

from __future__ import annotations

from typing import Any

from shared.init_phase import cold_init

with cold_init():
    from shared.observability import instrument
    from shared.webhooks.batch import DeliveryBatch


def _handle(event: dict[str, Any], context: Any) -> Any:
    from shared.app_settings.provider import current
    from shared.webhooks.composition import deliverer

    parts = deliverer()
    parts.once.register_context(context)
    return DeliveryBatch(parts, current().webhooks.concurrency_per_endpoint).run(event, context)


handler = instrument(_handle)

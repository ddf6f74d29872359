"""Standard Webhooks headers of one delivery: `webhook-id`, `webhook-timestamp`, `webhook-signature`.

The signature is `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the secret's decoded bytes,
computed by the `standardwebhooks` library itself; during a rotation one `v1,` signature per signing secret,
space-separated, as the specification allows.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime


def webhook_id(event_id: str, subscription_id: str) -> str:
    """The id a receiver deduplicates on: the same for every attempt and replay of one event to one subscription."""
    digest = hashlib.sha256(f"{event_id}\x00{subscription_id}".encode()).hexdigest()[:32]
    return f"msg_{digest}"


def signed_headers(message_id: str, timestamp: int, body: str, secrets: list[str]) -> dict[str, str]:
    # Loaded with the first send, not at init: the library pulls in dateutil (tens of ms of a cold start).
    from standardwebhooks.webhooks import Webhook

    moment = datetime.fromtimestamp(timestamp, UTC)
    signature = " ".join(Webhook(secret).sign(message_id, moment, body) for secret in secrets)
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}

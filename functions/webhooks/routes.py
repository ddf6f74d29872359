"""/api/webhooks/...: rotate a secret, send a test event, redeliver, replay, and the delivery log (superusers).

Paths and bodies: docs/api-webhooks.md. The subscriptions themselves are `_webhooks` records, managed through
the records API.
"""

from __future__ import annotations

from functools import cache

from starlette.requests import Request
from starlette.responses import JSONResponse

from shared import settings
from shared.composition import composition
from shared.http.access import require_superuser
from shared.http.body import read_body
from shared.http.router import Router
from shared.webhooks.actions import WebhookActions, replay_undelivered

router = Router()
WEBHOOKS = "_webhooks"


@cache
def _actions() -> WebhookActions:
    from shared.app_settings.provider import current
    from shared.webhooks.composition import WebhookSettings
    from shared.webhooks.delivery_log import get_delivery_log
    from shared.webhooks.queues import SqsDeliveryQueue
    from shared.webhooks.secret_store import get_secret_store

    config = settings.load(WebhookSettings)
    return WebhookActions(secrets=get_secret_store(config.system_table), log=get_delivery_log(config.system_table),
                          queue=SqsDeliveryQueue(config.deliveries_queue), settings=lambda: current().webhooks)


def _existing(request: Request, webhook_id: str) -> None:
    """404 unless the subscription exists (read as the calling superuser)."""
    composition().scope(request).reader.view(WEBHOOKS, webhook_id, {})


@router.post("/api/webhooks/{id}/rotate-secret")
async def rotate_secret(request: Request, id: str) -> JSONResponse:
    require_superuser(request)
    body = await read_body(request)
    _existing(request, id)
    return JSONResponse(_actions().rotate(id, body.get("overlap")))


@router.post("/api/webhooks/{id}/test")
async def send_test(request: Request, id: str) -> JSONResponse:
    require_superuser(request)
    _existing(request, id)
    return JSONResponse(_actions().send_test(id))


@router.get("/api/webhooks/deliveries")
async def list_deliveries(request: Request) -> JSONResponse:
    require_superuser(request)
    return JSONResponse(_actions().list_attempts(dict(request.query_params)))


@router.get("/api/webhooks/deliveries/{id}")
async def view_delivery(request: Request, id: str) -> JSONResponse:
    require_superuser(request)
    return JSONResponse(_actions().attempts_of(id))


@router.post("/api/webhooks/deliveries/{id}/redeliver")
async def redeliver(request: Request, id: str) -> JSONResponse:
    require_superuser(request)
    return JSONResponse(_actions().redeliver(id))


@router.post("/api/webhooks/replay")
async def replay(request: Request) -> JSONResponse:
    require_superuser(request)
    return JSONResponse(_actions().replay(await read_body(request)))


@router.post("/api/webhooks/undelivered/replay")
async def replay_dead_letters(request: Request) -> JSONResponse:
    require_superuser(request)
    from shared.aws import client, queue_url
    from shared.webhooks.composition import WebhookSettings

    url = queue_url(settings.load(WebhookSettings).undelivered_queue)
    sqs = client("sqs")

    def receive() -> list[tuple[str, object]]:
        out = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=60)
        return [(m["Body"], lambda h=m["ReceiptHandle"]: sqs.delete_message(QueueUrl=url, ReceiptHandle=h))
                for m in out.get("Messages", [])]

    return JSONResponse({"queued": replay_undelivered(receive, _actions().queue)})  # type: ignore[arg-type]

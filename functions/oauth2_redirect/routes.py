"""GET and POST /api/oauth2-redirect: the provider's callback of PocketBase's all-in-one OAuth2 flow."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from shared import settings
from shared.accounts.oauth2.apple_names import get_apple_name_store
from shared.accounts.oauth2.redirect import FAILURE_TEXT, SUCCESS_HTML, RedirectData, deliver_redirect
from shared.errors import BadRequestError
from shared.http.body import read_body
from shared.http.requests import client_ip
from shared.http.router import Router
from shared.realtime.dynamo_subscriptions import get_subscription_store
from shared.realtime.sender import ApiGatewaySender

router = Router()


class RedirectSettings(settings.Tables, settings.Realtime):
    """The subscription store (system table) and the WebSocket API's @connections endpoint (LB_WS_*)."""


@router.get("/api/oauth2-redirect")
@router.post("/api/oauth2-redirect")
async def oauth2_redirect(request: Request) -> Response:
    values = dict(request.query_params) if request.method == "GET" else await _form(request)
    config = settings.load(RedirectSettings)
    if not config.ws_management_endpoint:
        raise RuntimeError("LB_WS_MANAGEMENT_ENDPOINT is not set")
    done = deliver_redirect(get_subscription_store(config.system_table),
                            ApiGatewaySender(config.ws_management_endpoint), RedirectData.of(values),
                            client_ip(request), get_apple_name_store(config.system_table))
    # PocketBase without its dashboard answers these two pages (Lambdabase has no dashboard to redirect to).
    return HTMLResponse(SUCCESS_HTML) if done else PlainTextResponse(FAILURE_TEXT)


async def _form(request: Request) -> dict[str, object]:
    try:
        return await read_body(request)
    except BadRequestError:  # PocketBase answers an unreadable body with its failure page, not an error
        return {}

"""Entry point of the SSE bridge function: the ASGI app that run.sh serves with uvicorn behind the Web Adapter."""

from __future__ import annotations

from typing import Any

from shared.init_phase import cold_init

with cold_init():
    from functools import cache

    from functions.realtime_sse.app import create_bridge
    from functions.realtime_sse.control import Identity, StoreControl, SubscriptionControl
    from functions.realtime_sse.settings import BridgeSettings
    from shared import aws, settings
    from shared.auth.api_tokens import is_api_token
    from shared.auth.caller import bearer_token, refuse_superuser_ip
    from shared.errors import UnauthorizedError
    from shared.observability import logger
    from shared.realtime import protocol
    from shared.realtime.deps import RealtimeDeps, build_deps
    from shared.realtime.sender import MessageSender

    aws.prepare("dynamodb")
    config = settings.load(BridgeSettings)


class UnusedSender(MessageSender):
    """The protocol posts to sockets only for presence, which an SSE client never joins (it sends no `join`)."""

    def send(self, connection_id: str, message: dict[str, Any]) -> None:
        logger.warning("sse bridge asked to post to a connection", extra={"connectionId": connection_id})


@cache
def deps() -> RealtimeDeps:
    """The protocol's repositories over the deployed tables, built on first use (no AWS client at import)."""
    return build_deps(config.system_table, config.records_table, UnusedSender())


def authenticate(authorization: str | None, source_ip: str) -> Identity | None:
    """The auth record of a valid token, as every HTTP function verifies one (a superuser's address included)."""
    if not bearer_token(authorization):
        return None
    caller = deps().authenticator.authenticate(authorization)
    if caller is None:
        if is_api_token(bearer_token(authorization)):
            # an invalid API token is a 401 as on HTTP, never silently a guest
            raise UnauthorizedError()
        return None
    refuse_superuser_ip(caller.is_superuser, source_ip)
    return caller.collection.id, caller.record.id


@cache
def production_control() -> SubscriptionControl:
    """What POST changes, through the protocol's own `apply_auth` and `apply_set` (docs/api-realtime.md)."""
    return StoreControl(
        deps().store, authenticate,
        lambda client_id, authorization, ip: protocol.apply_auth(deps(), client_id, authorization, ip),
        lambda client_id, subscriptions: protocol.apply_set(deps(), client_id, subscriptions))


app = create_bridge(config, production_control)

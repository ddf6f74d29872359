"""Entry point of the SSE bridge function: the ASGI app that run.sh serves with uvicorn behind the Web Adapter."""

from __future__ import annotations

from shared.init_phase import cold_init

with cold_init():
    from functools import cache

    from functions.realtime_sse.app import create_bridge
    from functions.realtime_sse.control import Identity, StoreControl, SubscriptionControl
    from functions.realtime_sse.settings import BridgeSettings
    from shared import aws, settings
    from shared.auth.caller import bearer_token, refuse_superuser_ip
    from shared.realtime.subscriptions import get_subscription_store

    aws.prepare("dynamodb")
    config = settings.load(BridgeSettings)


def authenticate(authorization: str | None, source_ip: str) -> Identity | None:
    """The auth record of a valid token, as every HTTP function verifies one (a superuser's address included)."""
    if not bearer_token(authorization):
        return None
    from shared.composition import composition  # the data layer only once a token has to be checked

    caller = composition().authenticator.authenticate(authorization)
    if caller is None:
        return None
    refuse_superuser_ip(caller.is_superuser, source_ip)
    return caller.collection.id, caller.record.id


def _not_wired(*_args: object) -> None:
    raise NotImplementedError("the realtime protocol's apply_auth/apply_set are wired when rt_protocol lands")


@cache
def production_control() -> SubscriptionControl:
    """The bridge's control over the system table, built on first use (no AWS client at import)."""
    return StoreControl(get_subscription_store(config.system_table), authenticate, _not_wired, _not_wired)


app = create_bridge(config, production_control)

"""POST /api/realtime: PocketBase's realtimeSubscribeForm, its checks in its order, then the connection's new set."""

from __future__ import annotations

from typing import Any

import msgspec

from functions.realtime_sse.control import SubscriptionControl
from shared.errors import BadRequestError, ForbiddenError, NotFoundError
from shared.realtime.topics import MAX_SUBSCRIPTION_LENGTH, MAX_SUBSCRIPTIONS

MAX_CLIENT_ID_LENGTH = 255
UNKNOWN_CLIENT = "Missing or invalid client id."
OTHER_ADDRESS = "Invalid realtime client."
OTHER_AUTH = "The current and the previous request authorization don't match."


class SubscribeForm(msgspec.Struct, frozen=True):
    client_id: str
    subscriptions: list[str]


def _length_error(code: str, message: str, low: int, high: int) -> dict[str, Any]:
    return {"code": code, "message": message, "params": {"max": high, "min": low}}


def parse_form(body: Any) -> SubscribeForm:
    """The form from a decoded JSON object or form; PocketBase's generic 400 for a wrong type, its field errors
    (validation_required, validation_length_*) otherwise."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise BadRequestError()
    client_id = body.get("clientId", "")
    subscriptions = body.get("subscriptions")
    subscriptions = [] if subscriptions is None else subscriptions
    if not isinstance(client_id, str) or not isinstance(subscriptions, list) or \
            not all(isinstance(s, str) for s in subscriptions):
        # Go's binding of a value of another type into the form fails as a whole: no field errors.
        raise BadRequestError()
    errors: dict[str, Any] = {}
    if not client_id:
        errors["clientId"] = {"code": "validation_required", "message": "Cannot be blank."}
    elif len(client_id) > MAX_CLIENT_ID_LENGTH:
        errors["clientId"] = _length_error("validation_length_out_of_range",
                                           f"The length must be between 1 and {MAX_CLIENT_ID_LENGTH}.",
                                           1, MAX_CLIENT_ID_LENGTH)
    if len(subscriptions) > MAX_SUBSCRIPTIONS:
        errors["subscriptions"] = _length_error("validation_length_too_long",
                                                f"The length must be no more than {MAX_SUBSCRIPTIONS}.",
                                                0, MAX_SUBSCRIPTIONS)
    else:
        too_long = {str(i): _length_error("validation_length_too_long",
                                          f"The length must be no more than {MAX_SUBSCRIPTION_LENGTH}.",
                                          0, MAX_SUBSCRIPTION_LENGTH)
                    for i, sub in enumerate(subscriptions) if len(sub) > MAX_SUBSCRIPTION_LENGTH}
        if too_long:
            errors["subscriptions"] = too_long
    if errors:
        raise BadRequestError(data=errors)
    return SubscribeForm(client_id, list(subscriptions))


def set_subscriptions(control: SubscriptionControl, form: SubscribeForm, authorization: str | None,
                      source_ip: str) -> None:
    """Check the client as PocketBase does, then make its auth and its subscriptions the request's."""
    conn = control.connection(form.client_id)
    if conn is None:
        raise NotFoundError(UNKNOWN_CLIENT)
    # As PocketBase: a clientId is only usable from the address that opened the stream (against guessing).
    if conn.source_ip and conn.source_ip != source_ip:
        raise BadRequestError(OTHER_ADDRESS)
    identity = control.identity(authorization, source_ip)
    previous = (conn.auth.collection_id, conn.auth.record_id) if conn.auth else None
    # Only a guest may become someone: nobody may take over another's stream, nor drop back to guest.
    if previous is not None and previous != identity:
        raise ForbiddenError(OTHER_AUTH)
    # An invalid token is no token (as PocketBase's auth middleware): the client stays, or becomes, a guest.
    control.apply_auth(form.client_id, (authorization or "") if identity else "", source_ip)
    control.apply_set(form.client_id, form.subscriptions)

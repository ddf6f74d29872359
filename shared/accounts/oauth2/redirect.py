"""PocketBase's all-in-one OAuth2 flow: `/api/oauth2-redirect` hands the provider's `{state, code}` to the realtime
client whose id is the state, over its `@oauth2` subscription; the SDK there completes `auth-with-oauth2`.

The state is the SSE client's id, so the callback reaches only the client that started the flow, once (the
subscription is dropped before the send), and only from the address that client connected from, as PocketBase.
"""

from __future__ import annotations

from typing import Any

import msgspec

from shared.accounts.oauth2.apple_names import MAX_CODE_LENGTH, AppleNameStore, name_from_redirect
from shared.observability import logger
from shared.realtime.sender import DeliveryError, MessageSender
from shared.realtime.subscriptions import SubscriptionStore
from shared.realtime.topics import OAUTH2_TOPIC

MAX_STATE_LENGTH = 255  # a realtime client id is far shorter; a longer state names no client
FAILURE_TEXT = "Failed to authenticate. You can close this window and go back to the app to try again."
SUCCESS_HTML = "Auth completed. You can close this window and go back to the app."


class RedirectData(msgspec.Struct, frozen=True):
    """What the provider sent back: in the query (GET) or a form (POST, Apple's `response_mode=form_post`)."""

    state: str
    code: str
    error: str = ""
    apple_user: str = ""  # Apple's `user` form field: the name, sent on the first sign-in only

    @classmethod
    def of(cls, values: dict[str, Any]) -> RedirectData:
        def text(name: str) -> str:
            value = values.get(name)
            return value if isinstance(value, str) else ""

        return cls(text("state"), text("code"), text("error"), text("user"))

    def message(self) -> dict[str, str]:
        data = {"state": self.state, "code": self.code}
        if self.error:
            data["error"] = self.error  # omitempty, as PocketBase's
        return data


def deliver_redirect(store: SubscriptionStore, sender: MessageSender, data: RedirectData, ip: str,
                     apple_names: AppleNameStore | None = None) -> bool:
    """Send the redirect data to its client; whether the flow may go on (a client reached and a code, no error).
    Apple's name, when it came along, is kept a minute for the sign-in that exchanges the code."""
    if not data.state or len(data.state) > MAX_STATE_LENGTH or "#" in data.state:
        logger.info("OAuth2 redirect without a usable state")
        return False
    connection = store.connection(data.state)
    if connection is None or OAUTH2_TOPIC not in connection.topics:
        logger.info("OAuth2 redirect for no waiting realtime client")
        return False
    # The browser that finished the sign-in must be where the realtime client connected from (PocketBase's check).
    if connection.source_ip and connection.source_ip != ip:
        logger.warning("OAuth2 redirect from another address than its realtime client's")
        return False
    # Dropped before the send: a second redirect with the same state (a replay) finds no subscription.
    store.unsubscribe(data.state, [OAUTH2_TOPIC])
    if apple_names is not None and data.apple_user and data.code and not data.error \
            and len(data.code) <= MAX_CODE_LENGTH and (name := name_from_redirect(data.apple_user)):
        apple_names.put(data.code, name)
    try:
        sender.send(data.state, {"type": "event", "topic": OAUTH2_TOPIC, "data": data.message()})
    except DeliveryError as exc:
        logger.warning("OAuth2 redirect not delivered", extra={"error": type(exc).__name__})
        return False
    return bool(data.code) and not data.error

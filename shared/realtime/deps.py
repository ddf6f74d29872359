"""What the realtime protocol acts on: the subscription store, the collections, the authenticator and the sender.

The WebSocket function builds one per cold start; the SSE bridge builds its own and calls the same commands
(`protocol.apply_auth`, `protocol.apply_set`) for its connection id.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from shared.realtime.sender import MessageSender
from shared.realtime.subscriptions import SubscriptionStore

if TYPE_CHECKING:
    # Token verification pulls in the records and HTTP layers (about a second of imports): a `$connect`, a `ping`
    # or a guest's `$disconnect` never needs them, so they are imported by the first command that does.
    from shared.auth.caller import Authenticator
    from shared.catalog.repository import CollectionRepository


class RealtimeDeps(msgspec.Struct):
    store: SubscriptionStore
    collections: CollectionRepository
    sender: MessageSender
    # built when a token is first verified, so that a guest's messages never read the signing keyring
    make_authenticator: Callable[[], Authenticator]
    clock: Callable[[], float] = time.time
    # How many posts to distinct connections overlap when one message goes to many (publish, presence).
    send_concurrency: int = 16

    @property
    def authenticator(self) -> Authenticator:
        return self.make_authenticator()

    @classmethod
    def of(cls, store: SubscriptionStore, collections: CollectionRepository, authenticator: Authenticator,
           sender: MessageSender, clock: Callable[[], float] = time.time) -> RealtimeDeps:
        """Deps over ready-made parts (unit tests, in-memory fakes)."""
        return cls(store=store, collections=collections, sender=sender, make_authenticator=lambda: authenticator,
                   clock=clock)


def build_deps(system_table: str, records_table: str, sender: MessageSender) -> RealtimeDeps:
    """The deployed repositories (DynamoDB), cached per instance; nothing is read until a command needs it."""
    from shared.auth.api_tokens_repository import get_api_token_repository
    from shared.auth.caller import Authenticator
    from shared.auth.refresh_repository import get_refresh_family_repository
    from shared.auth.tokens import get_token_service
    from shared.catalog.repository import get_collection_repository
    from shared.realtime.dynamo_subscriptions import get_subscription_store
    from shared.records.repository import get_record_repository

    collections = get_collection_repository(system_table)

    def make_authenticator() -> Authenticator:
        return Authenticator(get_token_service(), collections, get_record_repository(records_table, system_table),
                             get_refresh_family_repository(system_table), get_api_token_repository(system_table))

    return RealtimeDeps(store=get_subscription_store(system_table), collections=collections, sender=sender,
                        make_authenticator=make_authenticator)

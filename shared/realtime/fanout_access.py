"""Fan-out access: who each subscriber is at event time, which subscribers see a change alike, and the rules.

A subscription keeps a RealtimeAuth, never a token. At every event it is checked as HTTP checks a token:
not expired, its auth record still there with the same tokenKey, its session (`sid`) still live, an API token's
item still there with the same secret; an auth that fails any of these acts as a guest, as PocketBase unsets a
client's auth, except an API token's, which then gets nothing (on HTTP an ended API token is a 401). An API
token's scopes are checked before the rules (`list` for collection topics, `view` for record topics), and its
audience is its own: two tokens of one owner may see different things. Subscribers whose effective auth,
options and rule kind are equal form one Audience: the rules run and the record is shaped once per audience,
so a thousand guests with the same options cost one evaluation, not a thousand.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import msgspec

from shared.auth.api_tokens import ApiToken
from shared.auth.api_tokens_repository import ApiTokenRepository
from shared.auth.caller import is_session_live
from shared.auth.refresh_repository import RefreshFamilyRepository
from shared.catalog.repository import CollectionRepository, StoredCollection
from shared.collections.model import Collection
from shared.errors import ApiError
from shared.observability import logger
from shared.realtime.standing_auth import standing_owner
from shared.realtime.subscriptions import RealtimeAuth, Subscription
from shared.realtime.topics import SubscriptionOptions, Topic, TopicError, parse_topic
from shared.records.context import AuthState, RequestContext
from shared.records.model import ReadMeter, StoredRecord
from shared.records.repository import RecordRepository
from shared.records.request_rules import RequestRules
from shared.records.rules import parse_rule
from shared.tools.filter import FilterError

RuleKind = Literal["collection", "record"]
# PocketBase's RequestInfoContextRealtime: what `@request.context` reads during a realtime access check.
REALTIME_CONTEXT = "realtime"
# Session reads sent at once when many subscribers' auths are checked together.
SESSION_CHECKS_IN_FLIGHT = 16


class AuthCheck:
    """Resolves RealtimeAuths to live auth records, each at most once per batch of changes.

    A change of an auth record itself (a new tokenKey, a deletion) drops its cached answer, so the very next
    change is checked against it again; session and API token revocations and rotations (system table, not on
    the stream) are seen at the next batch.
    """

    def __init__(self, collections: CollectionRepository, records: RecordRepository,
                 families: RefreshFamilyRepository, clock: Callable[[], float] = time.time,
                 api_tokens: ApiTokenRepository | None = None) -> None:
        self.collections = collections
        self.records = records
        self.families = families
        self.clock = clock
        # None: no API token is accepted, so an API token's auth acts as a guest
        self.api_tokens = api_tokens
        self._known: dict[RealtimeAuth, AuthState | None] = {}

    def forget(self, collection_id: str, record_id: str) -> None:
        """Drop cached answers about this record (it just changed)."""
        for auth in [a for a in self._known if a.collection_id == collection_id and a.record_id == record_id]:
            del self._known[auth]

    def prefetch(self, auths: Iterable[RealtimeAuth | None]) -> None:
        """Check every auth not yet known at once: one BatchGetItem per 100 auth records of a collection, and
        the sessions side by side, rather than a read or two after another per subscriber."""
        unknown = {a for a in auths if a is not None and a not in self._known}
        if len(unknown) < 2:
            return
        now = self.clock()
        by_collection: dict[str, list[RealtimeAuth]] = {}
        for auth in unknown:
            if auth.expires_at <= now:
                self._known[auth] = None
            else:
                by_collection.setdefault(auth.collection_id, []).append(auth)
        with_session: list[tuple[RealtimeAuth, AuthState]] = []
        token_ids = sorted({a.token_id for a in unknown if a.token_id})
        tokens: dict[str, ApiToken | None] = {}
        if token_ids:
            with ThreadPoolExecutor(max_workers=min(SESSION_CHECKS_IN_FLIGHT, len(token_ids))) as pool:
                tokens = dict(zip(token_ids, pool.map(self._load_token, token_ids), strict=True))
        for collection_id, group in by_collection.items():
            stored = self.collections.find(collection_id)
            if stored is None or not stored.collection.is_auth:
                self._known.update(dict.fromkeys(group))
                continue
            found = self.records.get_many(stored.collection.id, sorted({a.record_id for a in group}), ReadMeter())
            def this_collection(_: str, known: StoredCollection = stored) -> StoredCollection:
                return known

            def read_in_bulk(_: str, record_id: str, read: dict[str, StoredRecord] = found) -> StoredRecord | None:
                return read.get(record_id)

            for auth in group:
                # the one re-check, over what was read in bulk; sessions are checked below, side by side
                state = standing_owner(auth, now=now, find_collection=this_collection, load_record=read_in_bulk,
                                       session_live=lambda _auth: True, load_token=tokens.get)
                if state is not None and auth.session_id:
                    with_session.append((auth, state))
                else:
                    self._known[auth] = state
        if with_session:
            with ThreadPoolExecutor(max_workers=min(SESSION_CHECKS_IN_FLIGHT, len(with_session))) as pool:
                live = list(pool.map(lambda pair: self._session_live(pair[0]), with_session))
            for (auth, state), ok in zip(with_session, live, strict=True):
                self._known[auth] = state if ok else None

    def resolve(self, auth: RealtimeAuth | None) -> AuthState | None:
        """The auth record this subscription acts as now, or None (a guest)."""
        if auth is None:
            return None
        if auth not in self._known:
            self._known[auth] = self._check(auth)
        return self._known[auth]

    def _check(self, auth: RealtimeAuth) -> AuthState | None:
        # An ended token must not keep receiving events: the same re-check the protocol makes.
        return standing_owner(
            auth, now=self.clock(), find_collection=self.collections.find,
            load_record=lambda collection_id, record_id: self.records.get(collection_id, record_id, ReadMeter()),
            session_live=self._session_live, load_token=self._load_token)

    def _load_token(self, token_id: str) -> ApiToken | None:
        return self.api_tokens.get(token_id) if self.api_tokens is not None else None

    def _session_live(self, auth: RealtimeAuth) -> bool:
        return auth.session_id is None or is_session_live(self.families, auth.collection_id, auth.record_id,
                                                          auth.session_id, now=self.clock())


class Audience(msgspec.Struct, frozen=True):
    """Subscribers who see one change alike: one effective auth, one set of options, one rule kind."""

    kind: RuleKind
    # (collection id, record id, API token id or "") of the live auth; None for guests (and for auths that
    # failed their check)
    auth_id: tuple[str, str, str] | None
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]

    @property
    def options(self) -> SubscriptionOptions:
        return SubscriptionOptions(query=dict(self.query), headers=dict(self.headers))


class AudienceGroup(msgspec.Struct):
    audience: Audience
    auth: AuthState | None
    subscriptions: list[Subscription]

    def request(self) -> RequestContext:
        """`@request.*` as PocketBase mocks it for a realtime check: GET, the options, context "realtime"."""
        options = self.audience.options
        return RequestContext(method="GET", auth=self.auth, query=dict(options.query),
                              headers=dict(options.headers), context=REALTIME_CONTEXT)


class TopicCache:
    """Parsed subscription strings: one fan-out meets the same strings again and again."""

    def __init__(self) -> None:
        self._parsed: dict[str, Topic | None] = {}

    def parse(self, raw: str) -> Topic | None:
        if raw not in self._parsed:
            try:
                self._parsed[raw] = parse_topic(raw)
            except TopicError:
                self._parsed[raw] = None  # the store holds only what the protocol accepted; be safe anyway
        return self._parsed[raw]


def group_subscriptions(subscriptions: list[Subscription], auths: AuthCheck,
                        topics: TopicCache) -> list[AudienceGroup]:
    """The change's subscribers in audiences, in the order first met (collection topics, then the record's)."""
    groups: dict[Audience, AudienceGroup] = {}
    auths.prefetch(sub.auth for sub in subscriptions)
    for sub in subscriptions:
        topic = topics.parse(sub.topic)
        if topic is None or topic.kind == "channel":
            continue
        state = auths.resolve(sub.auth)
        if state is None and sub.auth is not None and sub.auth.token_id:
            continue  # an ended API token gets nothing, not a guest's events: on HTTP it is a 401, never a guest
        audience = Audience(
            kind="record" if topic.kind == "record" else "collection",
            auth_id=(state.collection.id, state.record.id, state.grant.token_id if state.grant else "")
            if state else None,
            query=tuple(sorted(topic.options.query.items())),
            headers=tuple(sorted(topic.options.headers.items())))
        group = groups.get(audience)
        if group is None:
            group = groups[audience] = AudienceGroup(audience, state, [])
        group.subscriptions.append(sub)
    return list(groups.values())


def admits(rules: RequestRules, collection: Collection, record: StoredRecord, kind: RuleKind) -> bool:
    """PocketBase's realtimeCanAccessRecord: the listRule (collection topics) or viewRule (record topics), then
    the subscription's own `filter`, evaluated on this record for this audience."""
    rule_text = collection.list_rule if kind == "collection" else collection.view_rule
    filter_text = rules.request.query.get("filter", "")
    # an API token's scopes, before any rule (a superuser's token too): an `auth` with a token keeps the
    # connection's earlier subscriptions, so subscribe time alone would not bound what it sees
    if not rules.allows(collection, "list" if kind == "collection" else "view"):
        return False
    try:
        if not rules.is_superuser:
            if rule_text is None:
                return False  # a locked rule: superusers only
            if not rules.matches(parse_rule(rule_text), collection, record) or not rules.own_rule_allows(
                    collection, record, "list" if kind == "collection" else "view"):
                return False
        if not filter_text:
            return True
        # As PocketBase: the filter sees no hidden field unless superuser, and may not name superuser-only ones.
        expr = rules.user_filter(filter_text)
        return rules.matches(expr, collection, record, allow_hidden=rules.is_superuser)
    except (ApiError, FilterError) as exc:
        # PocketBase sends nothing when a rule or filter cannot be evaluated; the subscriber just misses it.
        logger.debug("realtime access check failed", extra={"collection": collection.id, "error": str(exc)})
        return False

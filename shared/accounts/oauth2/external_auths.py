"""`_externalAuths` records: which provider account (provider, providerId) is linked to which auth record.

Read and written through the records engine with system rights, so the collection's unique indexes
(collectionRef, provider, providerId) and (collectionRef, recordRef, provider) hold them unique, as in PocketBase.
"""

from __future__ import annotations

import msgspec

from shared.accounts.auth_records import system_service
from shared.catalog.repository import StoredCollection
from shared.collections.system import EXTERNAL_AUTHS_COLLECTION_NAME
from shared.records.model import StoredRecord
from shared.records.planner import plan_query
from shared.records.query import run_list
from shared.records.scope import RecordScope
from shared.tools.filter import And, Compare, Expr, Identifier, Literal

MAX_LINKS_READ = 100  # one per provider a record could link: far more than the configured providers


class ExternalAuth(msgspec.Struct, frozen=True):
    id: str
    record_id: str
    provider: str
    provider_id: str


def _where(**equals: str) -> Expr:
    return And(tuple(Compare(Identifier((name,)), "=", Literal(value)) for name, value in equals.items()))


def _find(service: RecordScope, expr: Expr, limit: int) -> list[ExternalAuth]:
    system = system_service(service)
    stored = system.collections.get(EXTERNAL_AUTHS_COLLECTION_NAME)
    collection = stored.collection
    plan = plan_query(collection, stored.layout, expr, [], system.rules.static(collection))
    result = run_list(system.records, plan, [], page=1, per_page=limit, skip_total=True,
                      matcher=lambda r: system.rules.matches(expr, collection, r),
                      value_of=lambda r, k: None, meter=system.meter)
    return [_link(stored, record) for record in result.items]


def _link(stored: StoredCollection, record: StoredRecord) -> ExternalAuth:
    def value(name: str) -> str:
        field = stored.collection.field_by_name(name)
        return str(record.data.get(field.id) or "") if field else ""

    return ExternalAuth(record.id, value("recordRef"), value("provider"), value("providerId"))


def find_link(service: RecordScope, auth: StoredCollection, provider: str, provider_id: str) -> ExternalAuth | None:
    """The link of this provider account in this auth collection, if any."""
    found = _find(service, _where(collectionRef=auth.collection.id, provider=provider, providerId=provider_id), 1)
    return found[0] if found else None


def links_of(service: RecordScope, auth: StoredCollection, record_id: str) -> list[ExternalAuth]:
    return _find(service, _where(collectionRef=auth.collection.id, recordRef=record_id), MAX_LINKS_READ)


def create_link(service: RecordScope, auth: StoredCollection, record_id: str, provider: str,
                provider_id: str) -> ExternalAuth:
    """A new link; a unique-index conflict (a concurrent sign-in linked it first) raises the writer's 400."""
    created = system_service(service).writer.create(EXTERNAL_AUTHS_COLLECTION_NAME, {
        "collectionRef": auth.collection.id, "recordRef": record_id, "provider": provider,
        "providerId": provider_id})
    return ExternalAuth(created.record.id, record_id, provider, provider_id)


def delete_links(service: RecordScope, auth: StoredCollection, record_id: str) -> None:
    """Every link of the record (PocketBase's DeleteAllExternalAuthsByRecord)."""
    system = system_service(service)
    for link in links_of(service, auth, record_id):
        system.writer.delete(EXTERNAL_AUTHS_COLLECTION_NAME, link.id)

"""Linked fields maintained by the changes function on moto, fed by the records stream as on AWS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from local.invoke import invoke
from local.pollers import StreamPoller
from shared import resources
from shared.aws import client
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import DynamoCollectionRepository
from shared.records.context import RequestContext
from shared.records.model import ReadMeter
from shared.records.scope import RecordScope
from tests.support.moto_cloud import running_cloud
from tests.support.record_stores import dynamo_records

TABLE = resources.RECORDS_TABLE.physical_name


class Recorder:
    """The real invoke, keeping every batch handed to the changes function."""

    def __init__(self) -> None:
        self.batches: list[dict[str, Any]] = []

    def __call__(self, name: str, event: dict[str, Any]) -> Any:
        if name == "changes":
            self.batches.append(event)
        return invoke(name, event)


class Shop:
    """invoices (total: SUM of amounts, n: count, top: MAX) and their line items, written through the API's writer."""

    def __init__(self) -> None:
        self.collections = DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name)
        self.records = dynamo_records(TABLE)
        self.admin = admin = CollectionsAdmin(self.collections, self.records)
        self.invoices = admin.create({"name": "invoices", "type": "base", "fields": [
            {"name": "title", "type": "text"}]})
        admin.create({"name": "items", "type": "base", "fields": [
            {"name": "amount", "type": "number"},
            {"name": "invoice", "type": "relation", "collectionId": self.invoices.id, "maxSelect": 1}]})
        admin.update("invoices", {"fields": [
            *[f.to_json() for f in self.invoices.fields],
            {"name": "total", "type": "rollup", "relation": "items_via_invoice", "field": "amount", "aggregate": "SUM"},
            {"name": "n", "type": "count", "relation": "items_via_invoice"},
            {"name": "top", "type": "rollup", "relation": "items_via_invoice", "field": "amount", "aggregate": "MAX"}]})
        self.recorder = Recorder()
        self.poller = StreamPoller(resources.EVENT_SOURCES[0], self.recorder)

    def writer(self) -> Any:
        return RecordScope(self.collections, self.records, RequestContext(system=True)).writer

    def create(self, collection: str, body: dict[str, Any]) -> str:
        return str(self.writer().create(collection, body).record.id)

    def view(self, rid: str) -> dict[str, Any]:
        body, _ = RecordScope(self.collections, self.records, RequestContext(system=True)).reader.view(
            "invoices", rid, {})
        return dict(body)

    def version(self, rid: str) -> int:
        found = self.records.get(self.invoices.id, rid, ReadMeter())
        assert found is not None
        return found.version

    def drain(self) -> None:
        for _ in range(30):
            if not self.poller.poll_once():
                return
        raise AssertionError("the stream never went quiet")


@pytest.fixture
def shop() -> Iterator[Shop]:
    with running_cloud():
        yield Shop()


def parent_updates(batches: list[dict[str, Any]], invoices_id: str) -> list[dict[str, Any]]:
    """The stream records of invoice updates the changes function was handed."""
    return [r for b in batches for r in b["Records"]
            if r["eventName"] == "MODIFY" and r["dynamodb"]["Keys"]["pk"]["S"].startswith(f"r#{invoices_id}#")]


def test_a_child_write_makes_one_derived_write_that_triggers_nothing(shop: Shop) -> None:
    # Given an invoice, its creation handled
    inv = shop.create("invoices", {"title": "a"})
    shop.drain()
    # When a line item is created and the stream runs until quiet
    shop.create("items", {"amount": 7, "invoice": inv})
    shop.drain()
    # Then the invoice got exactly one write, stamped as derived, and holds the values
    updates = parent_updates(shop.recorder.batches, shop.invoices.id)
    assert len(updates) == 1
    stamp = json.loads(updates[0]["dynamodb"]["NewImage"]["a"]["S"])
    assert stamp["kind"] == "system" and stamp["derived"]
    assert shop.version(inv) == 2
    view = shop.view(inv)
    assert (view["total"], view["n"], view["top"]) == (7, 1, 7)


def test_a_chain_makes_one_derived_write_per_level_and_redeliveries_change_nothing(shop: Shop) -> None:
    # Given accounts summing their invoices' totals (a rollup over a rollup), an account and an invoice of it
    accounts = shop.admin.create({"name": "accounts", "type": "base", "fields": [{"name": "name", "type": "text"}]})
    invoice_fields = [f.to_json() for f in shop.admin.get("invoices").collection.fields]
    shop.admin.update("invoices", {"fields": [*invoice_fields, {
        "name": "account", "type": "relation", "collectionId": accounts.id, "maxSelect": 1}]})
    shop.admin.update("accounts", {"fields": [*[f.to_json() for f in accounts.fields], {
        "name": "spent", "type": "rollup", "relation": "invoices_via_account", "field": "total", "aggregate": "SUM"}]})
    account = shop.create("accounts", {"name": "a"})
    inv = shop.create("invoices", {"title": "a", "account": account})
    shop.drain()
    # When two line items are created and the stream runs until quiet
    shop.create("items", {"amount": 7, "invoice": inv})
    shop.create("items", {"amount": 5, "invoice": inv})
    shop.drain()

    spent = shop.admin.get("accounts").collection.field_by_name("spent")
    assert spent is not None

    def account_state() -> tuple[Any, int]:
        found = shop.records.get(accounts.id, account, ReadMeter())
        assert found is not None
        return found.data.get(spent.id), found.version

    # Then each level holds the sum, written by derived writes only, and nothing triggered anything more
    assert account_state()[0] == 12 and shop.view(inv)["total"] == 12
    invoice_writes = parent_updates(shop.recorder.batches, shop.invoices.id)
    assert 1 <= len(invoice_writes) <= 2  # one per batch the items' creates fell in
    assert len(parent_updates(shop.recorder.batches, accounts.id)) == len(invoice_writes)
    before = (account_state(), shop.version(inv))
    # When Lambda redelivers every batch, whole and from its middle
    for batch in list(shop.recorder.batches):
        assert invoke("changes", batch) == {"batchItemFailures": []}
        assert invoke("changes", {"Records": batch["Records"][len(batch["Records"]) // 2:]}) == {
            "batchItemFailures": []}
    shop.drain()
    # Then no level moved and neither parent was written again
    assert (account_state(), shop.version(inv)) == before


def test_redelivered_batches_change_nothing_twice(shop: Shop) -> None:
    # Given line items created, moved and deleted, all handled
    a, b = shop.create("invoices", {"title": "a"}), shop.create("invoices", {"title": "b"})
    first = shop.create("items", {"amount": 5, "invoice": a})
    shop.create("items", {"amount": 2, "invoice": a})
    shop.writer().update("items", first, {"invoice": b})
    shop.create("items", {"amount": 4, "invoice": b})
    shop.writer().delete("items", first)
    shop.drain()
    before = {rid: (shop.view(rid)["total"], shop.view(rid)["n"], shop.view(rid)["top"], shop.version(rid))
              for rid in (a, b)}
    assert [v[:3] for v in before.values()] == [(2, 1, 2), (4, 1, 4)]
    # When Lambda redelivers every batch, whole and from its middle
    for batch in list(shop.recorder.batches):
        assert invoke("changes", batch) == {"batchItemFailures": []}
        assert invoke("changes", {"Records": batch["Records"][len(batch["Records"]) // 2:]}) == {
            "batchItemFailures": []}
    shop.drain()
    # Then no value moved and no invoice was written again
    after = {rid: (shop.view(rid)["total"], shop.view(rid)["n"], shop.view(rid)["top"], shop.version(rid))
             for rid in (a, b)}
    assert after == before


def test_accumulators_live_under_their_parent(shop: Shop) -> None:
    # Given a line item on an invoice, handled
    inv = shop.create("invoices", {"title": "a"})
    shop.create("items", {"amount": 3, "invoice": inv})
    shop.drain()
    # Then its SUM and count each have an accumulator under the invoice (the count sums no field), MAX none
    items = client("dynamodb").query(TableName=TABLE, KeyConditionExpression="pk = :p",
                                     ExpressionAttributeValues={":p": {"S": f"acc#{shop.invoices.id}#{inv}"}})["Items"]
    assert len(items) == 2
    assert sorted((float(i["records"]["N"]), float(i["sum"]["N"])) for i in items) == [(1, 0), (1, 3)]

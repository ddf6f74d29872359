"""Incremental linked fields: stream changes of line items planned into accumulator sums, applied exactly once."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.changes.accumulators import (
    AccumulatorKey,
    InMemoryAccumulatorStore,
    apply_accumulators,
)
from shared.changes.linked_fields import plan_linked
from shared.changes.model import RecordChange, decode_stream_records
from shared.collections.model import Collection
from shared.records.linked_values import LinkedSpec, linked_specs

INVOICES, ITEMS = "pbc_invoices", "pbc_items"
PARENTS = ("A", "B", "C")


def catalog(filter_text: str = "") -> list[Collection]:
    invoices = Collection.model_validate({"id": INVOICES, "name": "invoices", "type": "base", "fields": [
        {"id": "f_total", "name": "total", "type": "rollup", "relation": "items_via_invoice", "field": "amount",
         "aggregate": "SUM", "filter": filter_text},
        {"id": "f_n", "name": "n", "type": "count", "relation": "items_via_invoice", "filter": filter_text}]})
    items = Collection.model_validate({"id": ITEMS, "name": "items", "type": "base", "fields": [
        {"id": "f_amount", "name": "amount", "type": "number"}, {"id": "f_paid", "name": "paid", "type": "bool"},
        {"id": "f_inv", "name": "invoice", "type": "relation", "collectionId": INVOICES, "maxSelect": 1}]})
    return [invoices, items]


class Stream:
    """Lambda-shaped stream records of line items on one write shard, with growing sequence numbers."""

    def __init__(self) -> None:
        self.seq = 100
        self.items: dict[str, dict[str, Any]] = {}

    def write(self, rid: str, invoice: str | None, amount: int, paid: bool = True) -> RecordChange:
        old = self.items.get(rid)
        new = None if invoice is None else {
            "pk": {"S": f"r#{ITEMS}#1"}, "sk": {"S": rid}, "v": {"N": "1"},
            "d": {"M": {"f_amount": {"N": str(amount)}, "f_paid": {"BOOL": paid}, "f_inv": {"S": invoice}}}}
        if new is None:
            self.items.pop(rid, None)
        else:
            self.items[rid] = new
        event = "REMOVE" if new is None else "MODIFY" if old is not None else "INSERT"
        self.seq += 1
        dyn: dict[str, Any] = {"Keys": {"pk": {"S": f"r#{ITEMS}#1"}, "sk": {"S": rid}}, "SequenceNumber": str(self.seq)}
        if old is not None:
            dyn["OldImage"] = old
        if new is not None:
            dyn["NewImage"] = new
        [change] = decode_stream_records([{"eventName": event, "eventSource": "aws:dynamodb", "dynamodb": dyn}])
        return change

    def expected(self, paid_only: bool = False) -> dict[str, tuple[float, float]]:
        """(sum, count) per parent, recomputed from the final records."""
        out = {p: (0.0, 0.0) for p in PARENTS}
        for item in self.items.values():
            data = item["d"]["M"]
            if paid_only and not data["f_paid"]["BOOL"]:
                continue
            parent = data["f_inv"]["S"]
            total, n = out[parent]
            out[parent] = (total + float(data["f_amount"]["N"]), n + 1)
        return out


def specs(filter_text: str = "") -> list[LinkedSpec]:
    return linked_specs(catalog(filter_text))


def apply(changes: list[RecordChange], store: InMemoryAccumulatorStore, filter_text: str = "") -> None:
    work = plan_linked(changes, specs(filter_text), lambda _spec, _rid: [])
    apply_accumulators(work.contributions, store, sleep=lambda _s: None)


def sums(store: InMemoryAccumulatorStore, parent: str) -> tuple[float, float]:
    total = store.read(AccumulatorKey(INVOICES, parent, "f_total").partition).sums
    count = store.read(AccumulatorKey(INVOICES, parent, "f_n").partition).sums
    return total.get("sum", 0.0), count.get("records", 0.0)


def test_relink_moves_the_contribution_and_delete_takes_it_away() -> None:
    # Given a line item of 5 on A and one of 3 on B
    stream, store = Stream(), InMemoryAccumulatorStore()
    apply([stream.write("l1", "A", 5), stream.write("l2", "B", 3)], store)
    # When l1 moves to B, then l2 is deleted
    apply([stream.write("l1", "B", 5)], store)
    apply([stream.write("l2", None, 0)], store)
    # Then A has nothing and B has only l1
    assert sums(store, "A") == (0, 0)
    assert sums(store, "B") == (5, 1)


def test_a_change_that_touches_no_read_field_contributes_nothing() -> None:
    # Given a catalog where the item gains a field no linked field reads
    stream = Stream()
    first = stream.write("l1", "A", 5)
    # When the same values are written again (a touch of another field)
    again = stream.write("l1", "A", 5)
    work = plan_linked([first, again], specs(), lambda _s, _r: [])
    # Then only the create contributes, and only A is refreshed
    assert len(work.contributions) == 2  # one per linked field, from the create
    assert set(work.refresh) == {(INVOICES, "A")}


def test_a_redelivered_batch_changes_nothing_twice() -> None:
    # Given a batch applied once
    stream, store = Stream(), InMemoryAccumulatorStore()
    batch = [stream.write("l1", "A", 5), stream.write("l2", "A", 7), stream.write("l1", "B", 5)]
    apply(batch, store)
    writes = store.writes
    # When Lambda delivers it again, then its suffix
    apply(batch, store)
    apply(batch[1:], store)
    # Then the sums are unchanged and nothing was written
    assert (sums(store, "A"), sums(store, "B")) == ((7, 1), (5, 1))
    assert store.writes == writes


_ops = st.lists(st.tuples(st.sampled_from(["l1", "l2", "l3", "l4"]), st.sampled_from([*PARENTS, None]),
                          st.integers(-50, 50), st.booleans()), min_size=1, max_size=25)


@settings(max_examples=150, deadline=None)
@given(ops=_ops, cuts=st.lists(st.integers(1, 6), min_size=1, max_size=12),
       rewinds=st.lists(st.integers(0, 6), min_size=1, max_size=12), filtered=st.booleans())
def test_any_redelivery_order_gives_the_recomputed_sums(ops: list[tuple[str, str | None, int, bool]],
                                                       cuts: list[int], rewinds: list[int], filtered: bool) -> None:
    # Given a stream of line-item creates, moves, amount changes and deletes
    stream, store = Stream(), InMemoryAccumulatorStore()
    changes = [stream.write(rid, parent, amount, paid) for rid, parent, amount, paid in ops]
    filter_text = "paid = true" if filtered else ""
    # When Lambda hands it over in batches, each possibly starting before the last one ended (a retried batch,
    # or a redelivered suffix), and the last batch once more
    done, i = 0, 0
    while done < len(changes):
        start = max(0, done - rewinds[i % len(rewinds)])
        end = min(len(changes), done + cuts[i % len(cuts)])
        apply(changes[start:end], store, filter_text)
        done, i = end, i + 1
    apply(changes[max(0, done - 3):], store, filter_text)
    # Then every parent's sums equal those recomputed from the final line items
    expected = stream.expected(paid_only=filtered)
    assert {p: sums(store, p) for p in PARENTS} == expected

// The official PocketBase JS SDK, unchanged, against Lambdabase: computed fields on invoices and line items
// (a `total` rollup, an `items_count`, a formula over the total, filtering and sorting by them, line items
// changed, moved and deleted, the derived values reaching realtime, a rollup over the line items' formula).
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/computed.test.mjs`; tests/e2e/test_js_sdk_computed.py does it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { EventSource } from "eventsource";
import PocketBase from "pocketbase";
import { EMAIL, PASSWORD, URL } from "./support.mjs";

globalThis.EventSource = EventSource;

const suffix = Math.random().toString(36).slice(2, 10);
const names = { invoices: `js_invoices_${suffix}`, items: `js_line_items_${suffix}` };

const pb = new PocketBase(URL);
pb.autoCancellation(false);

// Linked values follow a write through the change stream: poll until they settle on the expected ones.
async function eventually(read, expected, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    try {
      assert.deepEqual(value, expected);
      return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("official JS SDK: lookup, rollup and count fields", () => {
  let a;
  let b;

  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    const invoices = await pb.collections.create({
      name: names.invoices, type: "base", listRule: "", viewRule: "",
      fields: [{ name: "title", type: "text" }],
    });
    await pb.collections.create({
      name: names.items, type: "base",
      fields: [
        { name: "amount", type: "number" },
        { name: "invoice", type: "relation", collectionId: invoices.id, maxSelect: 1 },
        { name: "qty", type: "number" },
        { name: "unit", type: "number" },
        { name: "line", type: "formula", formula: "{qty} * {unit}" },
      ],
    });
    const via = `${names.items}_via_invoice`;
    const current = await pb.collections.getOne(names.invoices);
    await pb.collections.update(names.invoices, {
      fields: [
        ...current.fields,
        { name: "total", type: "rollup", relation: via, field: "amount", aggregate: "SUM" },
        { name: "items_count", type: "count", relation: via },
        { name: "size", type: "formula", formula: 'IF({total} > 1000, "big", "small")' },
        { name: "lines_total", type: "rollup", relation: via, field: "line", aggregate: "SUM" },
      ],
    });
    a = await pb.collection(names.invoices).create({ title: "a" });
    b = await pb.collection(names.invoices).create({ title: "b" });
  });

  after(async () => {
    await pb.realtime.unsubscribe().catch(() => {});
    await pb.collections.delete(names.items).catch(() => {});
    await pb.collections.delete(names.invoices).catch(() => {});
  });

  const totals = async () => {
    const list = await pb.collection(names.invoices).getFullList({ sort: "title" });
    return list.map((r) => [r.title, r.total, r.items_count, r.size]);
  };

  test("the rollup and the count follow line items created, changed, moved and deleted", async () => {
    const big = await pb.collection(names.items).create({ amount: 900, invoice: a.id });
    await pb.collection(names.items).create({ amount: 200, invoice: a.id });
    await pb.collection(names.items).create({ amount: 50, invoice: b.id });
    await eventually(totals, [["a", 1100, 2, "big"], ["b", 50, 1, "small"]]);
    await pb.collection(names.items).update(big.id, { amount: 1000 });
    await eventually(totals, [["a", 1200, 2, "big"], ["b", 50, 1, "small"]]);
    await pb.collection(names.items).update(big.id, { invoice: b.id });
    await eventually(totals, [["a", 200, 1, "small"], ["b", 1050, 2, "big"]]);
    await pb.collection(names.items).delete(big.id);
    await eventually(totals, [["a", 200, 1, "small"], ["b", 50, 1, "small"]]);
  });

  test("filter and sort by computed fields", async () => {
    await eventually(async () => {
      const list = await pb.collection(names.invoices).getList(1, 10, { filter: "total > 100", sort: "-total" });
      return list.items.map((r) => r.title);
    }, ["a"]);
    const small = await pb.collection(names.invoices).getFullList({ filter: 'size = "small"', sort: "total" });
    assert.deepEqual(small.map((r) => r.title), ["b", "a"]);
    const sorted = await pb.collection(names.invoices).getFullList({ sort: "-items_count,-total" });
    assert.deepEqual(sorted.map((r) => r.title), ["a", "b"]);
  });

  test("a derived value reaches realtime subscribers as an update of the parent", async () => {
    const events = [];
    await pb.collection(names.invoices).subscribe(a.id, (e) => events.push(e));
    await pb.collection(names.items).create({ amount: 1, invoice: a.id });
    const updated = await eventually(async () => events.some((e) => e.action === "update" && e.record.total === 201),
      true);
    assert.ok(updated);
    await pb.collection(names.invoices).unsubscribe(a.id);
  });

  test("a value sent for a computed field is ignored", async () => {
    const made = await pb.collection(names.invoices).create({ title: "c", total: 5, items_count: 9, size: "x" });
    assert.equal(made.total, 0);
    assert.equal(made.items_count, 0);
    assert.equal(made.size, "small");
  });

  test("a rollup over the line items' formula follows its inputs (chaining)", async () => {
    const linesTotal = async () => (await pb.collection(names.invoices).getOne(b.id)).lines_total;
    const line = await pb.collection(names.items).create({ qty: 3, unit: 2.5, invoice: b.id });
    assert.equal(line.line, 7.5); // the formula, in the same write
    await eventually(linesTotal, 7.5); // its rollup, from the change stream
    await pb.collection(names.items).update(line.id, { qty: 4 });
    await eventually(linesTotal, 10);
    await pb.collection(names.items).delete(line.id);
    await eventually(linesTotal, 0);
  });
});

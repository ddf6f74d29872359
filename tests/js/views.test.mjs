// The official PocketBase JS SDK, unchanged, against Lambdabase's view collections: totals per customer.
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/views.test.mjs`; tests/e2e/test_js_sdk_views.py does it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase from "pocketbase";
import { EMAIL, PASSWORD, URL, rejects } from "./support.mjs";

const suffix = Math.random().toString(36).slice(2, 10);
const names = {
  customers: `js_vcust_${suffix}`, invoices: `js_vinv_${suffix}`,
  totals: `js_vtotals_${suffix}`, big: `js_vbig_${suffix}`,
};

const pb = new PocketBase(URL);
pb.autoCancellation(false);

// View rows follow their sources through the change stream: poll until the answer is the expected one.
async function eventually(read, expected, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let value;
  for (;;) {
    value = await read();
    try {
      assert.deepEqual(value, expected);
      return value;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("official JS SDK: view collections", () => {
  let ann;
  let bob;
  const invoices = [];

  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    const customers = await pb.collections.create({
      name: names.customers, type: "base", fields: [{ name: "name", type: "text" }],
    });
    await pb.collections.create({
      name: names.invoices, type: "base",
      fields: [
        { name: "title", type: "text" },
        { name: "amount", type: "number" },
        { name: "customer", type: "relation", collectionId: customers.id, maxSelect: 1 },
      ],
    });
    ann = await pb.collection(names.customers).create({ name: "Ann" });
    bob = await pb.collection(names.customers).create({ name: "Bob" });
    for (const [title, amount, customer] of [["a", 400, ann], ["b", 700, ann], ["c", 50, bob]]) {
      invoices.push(await pb.collection(names.invoices).create({ title, amount, customer: customer.id }));
    }
  });

  after(async () => {
    for (const name of [names.totals, names.big, names.invoices, names.customers]) {
      await pb.collections.delete(name).catch(() => {});
    }
  });

  test("a view of totals per customer is built, then converges as invoices change", async () => {
    const view = await pb.collections.create({
      name: names.totals, type: "view", listRule: "", viewRule: "",
      viewQuery: `SELECT customer AS id, COUNT(*) AS items, SUM(amount) AS total FROM ${names.invoices} GROUP BY customer`,
    });
    assert.deepEqual(view.fields.map((f) => [f.name, f.type]), [["id", "text"], ["items", "number"], ["total", "json"]]);
    const totals = async () => (await pb.collection(names.totals).getFullList({ sort: "-total" }))
      .map((r) => [r.id, r.items, r.total]);
    await eventually(totals, [[ann.id, 2, 1100], [bob.id, 1, 50]]);

    // re-link one invoice, change another, delete a third
    await pb.collection(names.invoices).update(invoices[0].id, { customer: bob.id });
    await pb.collection(names.invoices).update(invoices[2].id, { amount: 5000 });
    await pb.collection(names.invoices).delete(invoices[1].id);
    await eventually(totals, [[bob.id, 2, 5400]]);
    const one = await pb.collection(names.totals).getOne(bob.id);
    assert.equal(one.collectionName, names.totals);
    assert.equal(one.items, 2);
  });

  test("a joined, filtered view lists, filters, sorts and expands like any collection", async () => {
    await pb.collections.create({
      name: names.big, type: "view", listRule: "", viewRule: "",
      viewQuery: `SELECT i.id, i.title, i.amount, i.customer, c.name AS who FROM ${names.invoices} i ` +
        `LEFT JOIN ${names.customers} c ON c.id = i.customer WHERE i.amount >= 100`,
    });
    const rows = async () => (await pb.collection(names.big).getList(1, 50, { sort: "title", expand: "customer" }))
      .items.map((r) => [r.title, r.who, r.expand?.customer?.name]);
    await eventually(rows, [["a", "Bob", "Bob"], ["c", "Bob", "Bob"]]);
    const filtered = await pb.collection(names.big).getList(1, 10, { filter: "amount > 1000" });
    assert.deepEqual(filtered.items.map((r) => r.title), ["c"]);
    // renaming the joined customer reaches every row that shows it
    await pb.collection(names.customers).update(bob.id, { name: "Robert" });
    await eventually(rows, [["a", "Robert", "Robert"], ["c", "Robert", "Robert"]]);
  });

  test("a view's records are read-only, as in PocketBase", async () => {
    await rejects(pb.collection(names.totals).create({ items: 1 }), 400, "Unsupported collection type.");
    await rejects(pb.collection(names.totals).update(bob.id, { items: 1 }), 400, "Unsupported collection type.");
    await rejects(pb.collection(names.totals).delete(bob.id), 400, "Unsupported collection type.");
  });
});

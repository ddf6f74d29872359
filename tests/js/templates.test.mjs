// The official PocketBase JS SDK, unchanged, applies the CRM template (`pb.send`) and uses what it made: the
// pipeline kanban, a calendar window, a pivot of deal amount by stage x month, and the public contact form.
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/templates.test.mjs`; tests/e2e/test_js_sdk_templates.py does it.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase from "pocketbase";
import { EMAIL, PASSWORD, URL, rejects } from "./support.mjs";

const prefix = `js${Math.random().toString(36).slice(2, 8)}_`;
const deals = `${prefix}deals`;
const monthOf = (date) => `${date.slice(0, 7)}-01`;

const admin = new PocketBase(URL);
admin.autoCancellation(false);
const guest = new PocketBase(URL);
guest.autoCancellation(false);

describe("official JS SDK: the CRM template", () => {
  let applied;
  let listing;
  const view = (type) => applied.views.find((v) => v.type === type);

  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await admin.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    applied = await admin.send("/api/templates/apply", {
      method: "POST", body: { template: "crm", sampleData: true, prefix },
    });
    listing = await admin.collection(deals).getFullList();
  });

  test("applies collections, views and sample data", async () => {
    assert.deepEqual(applied.collections.map((c) => c.name),
      ["companies", "contacts", "deals", "activities"].map((n) => prefix + n));
    assert.equal(listing.length, applied.records[deals]);
    const contacts = await admin.collection(`${prefix}contacts`).getFullList({ expand: "company" });
    // sample relations resolved from template keys to the records created
    const ada = contacts.find((c) => c.first_name === "Ada");
    assert.equal(ada.expand.company.name, "Acme Corp");
    assert.equal(ada.full_name, "Ada Lovelace");
  });

  test("the pipeline kanban stacks deals by stage", async () => {
    const read = () => admin.send(`/api/collections/${deals}/views/${view("kanban").id}/records`, { method: "GET" });
    const settled = (b) => b.stacks.every((s) => s.count === listing.filter((d) => d.stage === s.value).length);
    // A stack's count is its filtered total, which an index's per-value counter answers once the change stream
    // has counted the sample deals (docs/data-model.md): poll until it has, then check everything.
    let board = await read();
    for (const deadline = Date.now() + 15000; !settled(board) && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      board = await read();
    }
    assert.equal(board.stackField, "stage");
    const stages = ["lead", "qualified", "proposal", "negotiation", "won", "lost"];
    assert.deepEqual(board.stacks.map((s) => s.value), [...stages, ""]);
    for (const stack of board.stacks) {
      const expected = listing.filter((d) => d.stage === stack.value);
      assert.equal(stack.count, expected.length, stack.value);
      assert.deepEqual(stack.items.map((d) => d.rank), expected.map((d) => d.rank).sort((a, b) => a - b));
    }
  });

  test("the closing-dates calendar answers a window", async () => {
    const start = "2026-02-01 00:00:00.000Z";
    const end = "2026-03-01 00:00:00.000Z";
    const page = await admin.send(`/api/collections/${deals}/views/${view("calendar").id}/records`, {
      method: "GET", query: { start, end },
    });
    const expected = listing.filter((d) => d.close_date >= start && d.close_date < end).map((d) => d.id).sort();
    assert.ok(expected.length > 0);
    assert.deepEqual(page.items.map((d) => d.id).sort(), expected);
    const dates = page.items.map((d) => d.close_date);
    assert.deepEqual(dates, [...dates].sort());
  });

  test("a pivot of deal amount by stage x month equals the sums of the full listing", async () => {
    const expected = {};
    for (const deal of listing) {
      const row = (expected[deal.stage] ??= {});
      row[monthOf(deal.close_date)] = (row[monthOf(deal.close_date)] ?? 0) + deal.amount;
    }
    const pivot = await admin.send(`/api/collections/${deals}/aggregate`, {
      query: { rows: "stage", columns: "close_date:month", value: "sum(amount)" },
    });
    assert.deepEqual(pivot.columnKeys, [...new Set(listing.map((d) => monthOf(d.close_date)))].sort());
    assert.deepEqual(pivot.table.map((r) => r.key), Object.keys(expected).sort());
    for (const row of pivot.table) {
      pivot.columnKeys.forEach((month, i) => assert.equal(row.values[i], expected[row.key][month] ?? null));
    }
    assert.equal(pivot.total, listing.reduce((sum, d) => sum + d.amount, 0));
  });

  test("the contact form takes a guest's submission, swallows a honeypot hit and is rate limited", async () => {
    const formView = view("form");
    // a limit of 3 a minute for this test (the template's own is 10)
    const stored = await admin.collection("_views").getOne(formView.id);
    await admin.collection("_views").update(formView.id, {
      options: { form: { ...stored.options.form, rateLimit: { maxRequests: 3, duration: 60 } } },
    });
    const form = await guest.send(`/api/forms/${formView.slug}`, { method: "GET" });
    assert.deepEqual(form.fields.map((f) => f.name), ["first_name", "last_name", "email", "phone"]);
    const done = await guest.send(`/api/forms/${formView.slug}`, {
      method: "POST", body: { first_name: "Edsger", email: "edsger@example.com", _fillToken: form.fillToken },
    });
    assert.equal(done.message, "Thanks, we will be in touch.");
    const made = await admin.collection(`${prefix}contacts`).getFullList({ filter: "first_name = 'Edsger'" });
    assert.equal(made.length, 1);
    assert.equal(made[0].source, "website");
    // a honeypot hit answers as a success and stores nothing
    const trap = await guest.send(`/api/forms/${formView.slug}`, {
      method: "POST", body: { first_name: "Bot", email: "bot@example.com", website_url: "x", _fillToken: form.fillToken },
    });
    assert.equal(trap.message, done.message);
    assert.equal((await admin.collection(`${prefix}contacts`).getFullList({ filter: "first_name = 'Bot'" })).length, 0);
    await guest.send(`/api/forms/${formView.slug}`, {
      method: "POST", body: { first_name: "Barbara", email: "b@example.com", _fillToken: form.fillToken },
    });
    // the fourth attempt within the minute
    await rejects(guest.send(`/api/forms/${formView.slug}`, {
      method: "POST", body: { first_name: "Late", email: "late@example.com", _fillToken: form.fillToken },
    }), 429);
  });
});

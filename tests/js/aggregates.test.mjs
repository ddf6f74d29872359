// The official PocketBase JS SDK, unchanged, against Lambdabase: aggregates through `pb.send`.
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/`; tests/e2e/test_js_sdk_aggregates.py does it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase from "pocketbase";
import { EMAIL, PASSWORD, URL } from "./support.mjs";

const name = `js_deals_${Math.random().toString(36).slice(2, 10)}`;
const STAGES = ["lead", "won", "lost"];
const pb = new PocketBase(URL);
pb.autoCancellation(false);

// the first day of a date's month in UTC, as the aggregate keys it
const monthOf = (date) => `${date.slice(0, 7)}-01`;

describe("official JS SDK: aggregates", () => {
  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    await pb.collections.create({
      name, type: "base", listRule: "", viewRule: "",
      fields: [
        { name: "stage", type: "select", values: STAGES, maxSelect: 1 },
        { name: "amount", type: "number" },
        { name: "closed", type: "date" },
      ],
    });
    for (let i = 0; i < 14; i++) {
      const day = String(1 + ((i * 7) % 28)).padStart(2, "0");
      const month = String(1 + (Math.floor(i / 2) % 3)).padStart(2, "0");
      await pb.collection(name).create({
        stage: STAGES[i % STAGES.length], amount: 100 + i * 37, closed: `2026-${month}-${day} 12:00:00.000Z`,
      });
    }
  });

  after(async () => {
    await pb.collections.delete(name).catch(() => {});
  });

  test("a pivot of deal amount by stage x month equals the sums of a full listing", async () => {
    const deals = await pb.collection(name).getFullList();
    const expected = {};
    for (const deal of deals) {
      const row = (expected[deal.stage] ??= {});
      row[monthOf(deal.closed)] = (row[monthOf(deal.closed)] ?? 0) + deal.amount;
    }
    const pivot = await pb.send(`/api/collections/${name}/aggregate`, {
      query: { rows: "stage", columns: "closed:month", value: "sum(amount)" },
    });
    assert.deepEqual(pivot.columnKeys, ["2026-01-01", "2026-02-01", "2026-03-01"]);
    assert.deepEqual(pivot.table.map((r) => r.key), [...STAGES].sort());
    for (const row of pivot.table) {
      pivot.columnKeys.forEach((month, i) => assert.equal(row.values[i], expected[row.key][month] ?? null));
      assert.equal(row.total, Object.values(expected[row.key]).reduce((a, b) => a + b, 0));
    }
    pivot.columnKeys.forEach((month, i) => assert.equal(
      pivot.columnTotals[i], deals.filter((d) => monthOf(d.closed) === month).reduce((a, d) => a + d.amount, 0)));
    assert.equal(pivot.total, deals.reduce((a, d) => a + d.amount, 0));
  });

  test("a group-by with a filter, sorted by a metric", async () => {
    const answer = await pb.send(`/api/collections/${name}/aggregate`, {
      query: { groupBy: "stage", metrics: "count(),max(amount)", filter: "amount >= 200", sort: "-count()" },
    });
    const deals = await pb.collection(name).getFullList({ filter: "amount >= 200" });
    const counts = answer.groups.map((g) => g.metrics["count()"]);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
    for (const group of answer.groups) {
      const mine = deals.filter((d) => d.stage === group.key.stage);
      assert.equal(group.metrics["count()"], mine.length);
      assert.equal(group.metrics["max(amount)"], Math.max(...mine.map((d) => d.amount)));
    }
    await assert.rejects(pb.send(`/api/collections/${name}/aggregate`, { query: { groupBy: "amount" } }),
      (err) => err.status === 400 && Boolean(err.response.data.groupBy));
  });
});

// The official PocketBase JS SDK, unchanged, against Lambdabase: saved views (docs/api-views.md).
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/saved_views.test.mjs`; tests/e2e/test_js_sdk_saved_views.py does it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase from "pocketbase";
import { EMAIL, PASSWORD, URL } from "./support.mjs";

const suffix = Math.random().toString(36).slice(2, 10);
const deals = `js_deals_${suffix}`;

const pb = new PocketBase(URL);
pb.autoCancellation(false);

const stacksOf = (answer) => Object.fromEntries(answer.stacks.map((s) => [s.value, s.items.map((i) => i.title)]));

describe("official JS SDK: saved views", () => {
  let view;

  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    await pb.collections.create({
      name: deals, type: "base", listRule: "", viewRule: "", updateRule: "",
      fields: [
        { name: "title", type: "text" },
        { name: "stage", type: "select", values: ["lead", "won", "lost"], maxSelect: 1 },
        { name: "rank", type: "number" },
      ],
      indexes: [`CREATE INDEX idx_${deals}_stage ON ${deals} (stage)`],
    });
    for (const [title, stage, rank] of [["acme", "lead", 2], ["bolt", "lead", 1], ["core", "won", 1]]) {
      await pb.collection(deals).create({ title, stage, rank });
    }
  });

  after(async () => {
    if (view) await pb.collection("_views").delete(view.id).catch(() => {});
    await pb.collections.delete(deals).catch(() => {});
  });

  test("a kanban view: create it, read it, move a card, read again", async () => {
    view = await pb.collection("_views").create({
      collection: deals, name: "Pipeline", type: "kanban", viewRule: "",
      fields: ["title", "stage", "rank"], options: { stackField: "stage", rankField: "rank" },
    });
    assert.equal(view.type, "kanban");
    assert.equal((await pb.collection("_views").getOne(view.id)).options.stackField, "stage");

    const path = `/api/collections/${deals}/views/${view.id}/records`;
    const first = await pb.send(path, { method: "GET" });
    assert.deepEqual(stacksOf(first), { lead: ["bolt", "acme"], won: ["core"], lost: [], "": [] });
    assert.deepEqual(first.stacks.map((s) => s.count), [2, 1, 0, 0]);

    const acme = await pb.collection(deals).getFirstListItem(`title = "acme"`);
    await pb.collection(deals).update(acme.id, { stage: "won", rank: 0 });

    // A stack's count is its index partition's counter, which the change stream moves within about a second.
    let second;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      second = await pb.send(path, { method: "GET", query: { perPage: 1 } });
      if (second.stacks[0].count === 1) break;
    }
    assert.deepEqual(stacksOf(second), { lead: ["bolt"], won: ["acme"], lost: [], "": [] });
    assert.deepEqual(second.stacks.map((s) => s.count), [1, 2, 0, 0]);
    const next = await pb.send(path, { method: "GET", query: { stack: "won", page: 2, perPage: 1 } });
    assert.deepEqual(stacksOf(next), { won: ["core"] });
  });

  test("a bad option is a ClientResponseError naming it", async () => {
    await assert.rejects(
      pb.collection("_views").create({ collection: deals, name: "x", type: "kanban", options: { stackField: "title" } }),
      (err) => err.status === 400 && "options" in err.response.data,
    );
  });
});

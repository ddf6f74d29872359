// The official PocketBase JS SDK, unchanged, against Lambdabase: pb.logs (list, getOne, getStats, truncate).
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/logs.test.mjs`; tests/e2e/test_js_sdk_logs.py does it.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase from "pocketbase";
import { EMAIL, PASSWORD, URL, rejects } from "./support.mjs";

const marker = Math.random().toString(36).slice(2, 10);

const pb = new PocketBase(URL);
pb.autoCancellation(false);

// The logs land in the background (the log subscription delivers them in batches): poll until they are there.
async function waitForLogs(filter, count) {
  const deadline = Date.now() + 20000;
  for (;;) {
    const page = await pb.logs.getList(1, 50, { filter, sort: "-created" });
    if (page.totalItems >= count) return page;
    assert.ok(Date.now() < deadline, `only ${page.totalItems} of ${count} logs for ${filter}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe("official JS SDK: request logs", () => {
  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    const guest = new PocketBase(URL);
    await guest.health.check({ query: { m: marker } });
    await rejects(guest.collection(`missing_${marker}`).getList(1, 1), 404);
  });

  test("getList filters and sorts, getOne views, getStats counts per hour", async () => {
    const page = await waitForLogs(`data.url ~ "${marker}"`, 2);
    assert.deepEqual(page.items.map((log) => log.data.status), [404, 200]);
    const failed = page.items[0];
    assert.equal(failed.level, 8);
    assert.equal(failed.message, `GET /api/collections/missing_${marker}/records?page=1&perPage=1`);
    assert.equal(failed.data.error, "Missing collection context.");

    const errors = await pb.logs.getList(1, 10, { filter: `data.url ~ "${marker}" && data.status >= 400` });
    assert.equal(errors.totalItems, 1);

    const viewed = await pb.logs.getOne(failed.id);
    assert.deepEqual(viewed, failed);

    const stats = await pb.logs.getStats({ filter: `data.url ~ "${marker}"` });
    assert.equal(stats.reduce((sum, hour) => sum + hour.total, 0), 2);
    assert.match(stats[0].date, /^\d{4}-\d{2}-\d{2} \d{2}:00:00\.000Z$/);
  });

  test("bad queries and unknown ids answer PocketBase's errors", async () => {
    await rejects(pb.logs.getList(1, 10, { filter: "(((" }), 400);
    await rejects(pb.logs.getStats({ filter: "nope = 1" }), 400);
    await rejects(pb.logs.getOne("nonexistent1234"), 404);
    await rejects(new PocketBase(URL).logs.getList(), 401);
  });

  test("truncate deletes every log so far", async () => {
    assert.equal(await pb.logs.truncate(), true);
    const after = await pb.logs.getList(1, 10, { filter: `data.url ~ "${marker}"` });
    assert.equal(after.totalItems, 0);
  });
});

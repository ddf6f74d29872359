// The official PocketBase JS SDK, unchanged, against Lambdabase: pb.backups and pb.files.getToken.
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/backups.test.mjs`; tests/e2e/test_js_sdk_backups.py
// does it. No restore here: the session stack is shared with other suites (tests/e2e/test_backups.py restores).
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase from "pocketbase";
import { EMAIL, PASSWORD, URL, rejects } from "./support.mjs";

const suffix = Math.random().toString(36).slice(2, 10);

const pb = new PocketBase(URL);
pb.autoCancellation(false);

async function idle() {
  for (let i = 0; i < 600; i++) {
    const health = await pb.health.check();
    if (health.data.canBackup) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("the backup job never finished");
}

describe("official JS SDK: backups", () => {
  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
  });

  test("create, list, download, upload, delete", async () => {
    const name = `js_${suffix}.zip`;
    await idle();
    await pb.backups.create(name);
    await idle();
    const listed = await pb.backups.getFullList();
    const entry = listed.find((b) => b.key === name);
    assert.ok(entry, JSON.stringify(listed));
    assert.ok(entry.size > 0);
    assert.match(entry.modified, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/);

    const token = await pb.files.getToken();
    const response = await fetch(pb.backups.getDownloadURL(token, name));
    assert.equal(response.status, 200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 4)], [0x50, 0x4b, 0x03, 0x04]);

    const copy = `js_copy_${suffix}.zip`;
    await pb.backups.upload({ file: new File([bytes], copy, { type: "application/zip" }) });
    assert.ok((await pb.backups.getFullList()).some((b) => b.key === copy));
    await rejects(pb.backups.upload({ file: new File([bytes], copy) }), 400);

    await pb.backups.delete(name);
    await pb.backups.delete(copy);
    const left = (await pb.backups.getFullList()).map((b) => b.key);
    assert.ok(!left.includes(name) && !left.includes(copy));
  });

  test("bad input answers PocketBase's 400s", async () => {
    await rejects(pb.backups.create("Bad Name.zip"), 400);
    await rejects(pb.backups.restore("missing.zip"), 400);
    await rejects(pb.backups.delete("missing.zip"), 400);
    await rejects(pb.backups.upload({ file: new File(["not a zip"], "x.zip") }), 400);
  });

  test("a guest is refused", async () => {
    const guest = new PocketBase(URL);
    await rejects(guest.backups.getFullList(), 401);
    await rejects(guest.files.getToken(), 401);
  });
});

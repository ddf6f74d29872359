// The official PocketBase JS SDK, unchanged, against Lambdabase: pb.crons (list the cron jobs, run one now).
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/crons.test.mjs`; tests/e2e/test_js_sdk_crons.py does it.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase from "pocketbase";
import { EMAIL, PASSWORD, URL, rejects } from "./support.mjs";

const USER_PASSWORD = "Violet-Harbor-Lantern-77";

const pb = new PocketBase(URL);
pb.autoCancellation(false);

describe("official JS SDK: crons", () => {
  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
  });

  test("getFullList lists PocketBase's built-in jobs with their expressions", async () => {
    const jobs = await pb.crons.getFullList();
    const byId = Object.fromEntries(jobs.map((job) => [job.id, job.expression]));
    assert.equal(byId.__pbOTPCleanup__, "0 * * * *");
    assert.equal(byId.__pbMFACleanup__, "0 * * * *");
    assert.equal(byId.__pbLogsCleanup__, "0 */6 * * *");
    for (const job of jobs) assert.deepEqual(Object.keys(job).sort(), ["expression", "id"]);
  });

  test("run answers true for a listed job and 404 for an unknown one", async () => {
    assert.equal(await pb.crons.run("__pbOTPCleanup__"), true);
    await rejects(pb.crons.run("nope"), 404, "Missing or invalid cron job.");
  });

  test("guests and users are refused as PocketBase refuses them", async () => {
    const guest = new PocketBase(URL);
    await rejects(guest.crons.getFullList(), 401, "The request requires valid record authorization token.");
    await rejects(guest.crons.run("__pbOTPCleanup__"), 401, "The request requires valid record authorization token.");

    const email = `cron-${Math.random().toString(36).slice(2, 10)}@example.com`;
    await guest.collection("users").create({ email, password: USER_PASSWORD, passwordConfirm: USER_PASSWORD });
    await guest.collection("users").authWithPassword(email, USER_PASSWORD);
    await rejects(guest.crons.getFullList(), 403, "The authorized record is not allowed to perform this action.");
    await rejects(guest.crons.run("__pbOTPCleanup__"), 403,
      "The authorized record is not allowed to perform this action.");
  });
});

// The official PocketBase JS SDK, unchanged, against Lambdabase: pb.settings (getAll, update, testS3, testEmail).
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/settings.test.mjs`; tests/e2e/test_js_sdk_settings.py
// does it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase, { ClientResponseError } from "pocketbase";
import { EMAIL, PASSWORD, URL } from "./support.mjs";


const pb = new PocketBase(URL);
pb.autoCancellation(false);

async function rejects(promise, status, check = () => {}) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof ClientResponseError, `expected a ClientResponseError, got ${err}`);
    assert.equal(err.status, status, JSON.stringify(err.response));
    check(err.response);
    return true;
  });
}

describe("official JS SDK: settings", () => {
  let original;

  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    original = await pb.settings.getAll();
  });

  after(async () => {
    await pb.settings.update({ meta: original.meta, s3: { enabled: false } }).catch(() => {});
  });

  test("getAll: PocketBase's sections, no secrets", async () => {
    const settings = await pb.settings.getAll();
    for (const section of ["meta", "smtp", "s3", "backups", "batch", "rateLimits", "trustedProxy", "logs"]) {
      assert.ok(settings[section], `missing ${section}`);
    }
    assert.equal("password" in settings.smtp, false);
    assert.equal("secret" in settings.s3, false);
  });

  test("update: a partial body merges, and a bad one is a 400 that changes nothing", async () => {
    const updated = await pb.settings.update({ meta: { appName: "SDK App" } });
    assert.equal(updated.meta.appName, "SDK App");
    assert.equal(updated.meta.senderAddress, original.meta.senderAddress);
    await rejects(pb.settings.update({ meta: { appName: "Half", appURL: "not a url" } }), 400, (body) => {
      assert.equal(body.data.meta.appURL.code, "validation_is_url");
    });
    assert.equal((await pb.settings.getAll()).meta.appName, "SDK App");
  });

  test("update: a secret is accepted and never returned", async () => {
    const updated = await pb.settings.update({
      s3: { enabled: true, bucket: "b", region: "us-east-1", endpoint: "https://s3.example.com",
            accessKey: "AKIA", secret: "sdk-secret" },
    });
    assert.equal(updated.s3.enabled, true);
    assert.equal("secret" in updated.s3, false);
    await pb.settings.update({ s3: { enabled: false } });
  });

  test("testS3: PocketBase's error when the backups bucket is not configured", async () => {
    await rejects(pb.settings.testS3("backups"), 400, (body) => {
      assert.match(body.message, /S3 storage filesystem is not enabled/);
    });
  });

  test("testEmail: sends a template to an address, and validates its form", async () => {
    assert.equal(await pb.settings.testEmail("users", "sdk-check@example.com", "verification"), true);
    assert.equal(await pb.settings.testEmail("", "sdk-check@example.com", "login-alert"), true);
    await rejects(pb.settings.testEmail("users", "not-an-email", "nope"), 400, (body) => {
      assert.equal(body.data.email.code, "validation_is_email");
      assert.equal(body.data.template.code, "validation_in_invalid");
    });
  });

  test("a signed-out client gets PocketBase's 401", async () => {
    const guest = new PocketBase(URL);
    await rejects(guest.settings.getAll(), 401);
  });
});

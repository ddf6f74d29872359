// The official PocketBase JS SDK, unchanged, manages webhook subscriptions (`_webhooks` records) and calls the
// webhook actions with `pb.send`; a receiver on loopback gets a signed test event.
// Run by tests/e2e/test_js_sdk_webhooks.py against the session stack.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import PocketBase from "pocketbase";
import { EMAIL, PASSWORD, URL, rejects } from "./support.mjs";

const pb = new PocketBase(URL);
pb.autoCancellation(false);

// Standard Webhooks: base64(HMAC-SHA256(secret bytes, "id.timestamp.body")) under `v1,`.
function verifies(secret, headers, body) {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const expected = createHmac("sha256", key)
    .update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`).digest("base64");
  return headers["webhook-signature"].split(" ").includes(`v1,${expected}`);
}

describe("official JS SDK: webhooks", () => {
  const received = [];
  let server;
  let receiverUrl;
  const created = [];

  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => { body += chunk; });
      req.on("end", () => { received.push({ headers: req.headers, body }); res.writeHead(200); res.end("ok"); });
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${server.address().port}/hook`;
  });

  after(async () => {
    for (const id of created) await pb.collection("_webhooks").delete(id).catch(() => {});
    server.close();
  });

  test("create shows the secret once; reads and updates never again", async () => {
    const hook = await pb.collection("_webhooks").create({ url: receiverUrl, events: ["posts.*"], description: "js" });
    created.push(hook.id);
    assert.match(hook.secret, /^whsec_[A-Za-z0-9+/=]{32,}$/);
    assert.equal(hook.enabled, true);
    const again = await pb.collection("_webhooks").getOne(hook.id);
    assert.equal(again.secret, "");
    const updated = await pb.collection("_webhooks").update(hook.id, { events: ["*.deleted"] });
    assert.deepEqual(updated.events, ["*.deleted"]);
    assert.equal(updated.secret, "");
    const list = await pb.collection("_webhooks").getFullList({ filter: `id = "${hook.id}"` });
    assert.equal(list.length, 1);
  });

  test("bad values are PocketBase's 400 naming the field", async () => {
    await rejects(pb.collection("_webhooks").create({ url: "ftp://x.example", events: ["*"] }), 400);
    try {
      await pb.collection("_webhooks").create({ url: "https://x.example", events: ["not a pattern"] });
      assert.fail("expected a 400");
    } catch (err) {
      assert.equal(err.status, 400);
      assert.equal(err.response.data.events.code, "validation_invalid_event_pattern");
    }
  });

  test("rotate, send a test event, and read it in the log", async () => {
    const hook = await pb.collection("_webhooks").create({ url: receiverUrl, events: ["nothing.matches"] });
    created.push(hook.id);
    const rotated = await pb.send(`/api/webhooks/${hook.id}/rotate-secret`, { method: "POST", body: { overlap: 600 } });
    assert.match(rotated.secret, /^whsec_/);
    assert.notEqual(rotated.secret, hook.secret);
    const sent = await pb.send(`/api/webhooks/${hook.id}/test`, { method: "POST" });
    const deadline = Date.now() + 20000;
    while (!received.some((r) => r.headers["webhook-id"] === sent.deliveryId) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const got = received.find((r) => r.headers["webhook-id"] === sent.deliveryId);
    assert.ok(got, "the test event arrived");
    assert.equal(JSON.parse(got.body).type, "webhook.test");
    assert.ok(verifies(rotated.secret, got.headers, got.body), "signed with the new secret");
    assert.ok(verifies(hook.secret, got.headers, got.body), "and with the old one during the overlap");
    let attempts = [];
    while (attempts.length === 0 && Date.now() < deadline) {
      attempts = (await pb.send(`/api/webhooks/deliveries/${sent.deliveryId}`, {})).attempts;
    }
    assert.equal(attempts[0].status, "delivered");
    const log = await pb.send("/api/webhooks/deliveries", { query: { webhookId: hook.id } });
    assert.ok(log.items.length >= 1);
  });

  test("a guest can neither list subscriptions nor read the log", async () => {
    const guest = new PocketBase(URL);
    await rejects(guest.collection("_webhooks").getList(), 403);
    await rejects(guest.send("/api/webhooks/deliveries", {}), 401);
  });
});

// The official PocketBase JS SDK using a Lambdabase API token (run by tests/e2e/test_js_sdk_api_tokens.py).
// Env: LB_URL (the stack), LB_SUPERUSER_EMAIL/PASSWORD.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import PocketBase from "pocketbase";
import { EventSource } from "eventsource";

// Node has no EventSource: the `eventsource` package stands in, as for tests/js/realtime_sse.test.mjs.
globalThis.EventSource = EventSource;

const URL = process.env.LB_URL;
const PASSWORD = "Sdk-Token-Kestrel-913";
const SIGNED_IN = '@request.auth.id != ""';

function client() {
  const pb = new PocketBase(URL);
  pb.autoCancellation(false);
  return pb;
}

// A collection any signed-in caller may use, and a user signed in with a password.
async function world() {
  const root = client();
  await root.collection("_superusers").authWithPassword(process.env.LB_SUPERUSER_EMAIL,
    process.env.LB_SUPERUSER_PASSWORD);
  const name = `sdk_tokens_${randomUUID().slice(0, 8)}`;
  const rule = { listRule: SIGNED_IN, viewRule: SIGNED_IN, createRule: SIGNED_IN, updateRule: SIGNED_IN,
    deleteRule: SIGNED_IN };
  await root.collections.create({ name, type: "base", ...rule, fields: [{ name: "title", type: "text" }] });
  const email = `sdk-${randomUUID().slice(0, 8)}@example.com`;
  const user = client();
  const record = await user.collection("users").create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
  await user.collection("users").authWithPassword(email, PASSWORD);
  return { name, user, record };
}

async function apiToken(pb, recordId, body) {
  return pb.send(`/api/collections/users/records/${recordId}/api-tokens`, { method: "POST", body });
}

test("an API token saved in the auth store does CRUD within its scopes", async () => {
  const { name, user, record } = await world();
  const created = await apiToken(user, record.id, { name: "sdk", scopes: [`${name}:*`] });
  assert.match(created.token, /^lb_[a-z0-9]{15}_[A-Za-z0-9_-]{43}$/);

  // Given a fresh client whose auth store holds the API token (the SDK sends it as a bare Authorization)
  const pb = client();
  pb.authStore.save(created.token);
  // When it creates, lists, views, updates and deletes / Then each is answered as for the token's owner
  const post = await pb.collection(name).create({ title: "from the sdk" });
  const page = await pb.collection(name).getList(1, 10);
  assert.ok(page.items.some((item) => item.id === post.id));
  assert.equal((await pb.collection(name).getOne(post.id)).title, "from the sdk");
  assert.equal((await pb.collection(name).update(post.id, { title: "edited" })).title, "edited");
  assert.equal(await pb.collection(name).delete(post.id), true);

  // And a collection outside its scopes answers 403, an auth endpoint too
  await assert.rejects(pb.collection("users").getList(1, 1), (err) => err.status === 403);
  await assert.rejects(pb.collection("users").authRefresh(), (err) => err.status === 403);
});

test("a read-only token reads but never writes, and a revoked one is a 401", async () => {
  const { name, user, record } = await world();
  const readOnly = await apiToken(user, record.id, { name: "reader", scopes: ["*:*"], readOnly: true });
  const pb = client();
  pb.authStore.save(readOnly.token);
  assert.equal((await pb.collection(name).getList(1, 1)).page, 1);
  await assert.rejects(pb.collection(name).create({ title: "no" }),
    (err) => err.status === 403 && err.response.message === "The API token does not allow this action.");

  // When the owner revokes it / Then its next request is a 401
  await user.send(`/api/collections/users/records/${record.id}/api-tokens/${readOnly.id}`, { method: "DELETE" });
  await assert.rejects(pb.collection(name).getList(1, 1), (err) => err.status === 401);
  // And the owner's list no longer names it, and never showed a secret
  const listed = await user.send(`/api/collections/users/records/${record.id}/api-tokens`, { method: "GET" });
  assert.ok(listed.every((t) => t.id !== readOnly.id && !("token" in t)));
});

/** Resolves with the first of `events` for which `match` holds, waiting up to `timeout` ms. */
async function waitFor(events, match, what, timeout = 20000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = events.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(events)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test("realtime over SSE serves an API token within its scopes: an in-scope event, nothing out of scope", async () => {
  const { name, user, record } = await world();
  const root = client();
  await root.collection("_superusers").authWithPassword(process.env.LB_SUPERUSER_EMAIL,
    process.env.LB_SUPERUSER_PASSWORD);
  const other = `${name}_out`;
  await root.collections.create({ name: other, type: "base", listRule: SIGNED_IN, viewRule: SIGNED_IN,
    createRule: SIGNED_IN, fields: [{ name: "title", type: "text" }] });
  // Given a token of the user that may list the first collection only, in two clients' auth stores
  const created = await apiToken(user, record.id, { name: "rt", scopes: [`${name}:list`] });
  const inScope = client();
  inScope.authStore.save(created.token);
  const outOfScope = client();
  outOfScope.authStore.save(created.token);
  const seen = [];
  const seenOut = [];
  try {
    // When one subscribes to the collection outside the scopes / Then the subscription is refused (403)
    await assert.rejects(outOfScope.collection(other).subscribe("*", (e) => seenOut.push(e)),
      (err) => err.status === 403);
    // And the other subscribes to the collection in scope
    await inScope.collection(name).subscribe("*", (e) => seen.push(e));
    // When the user creates a record in each (the out-of-scope one first)
    const outside = await user.collection(other).create({ title: "outside" });
    const inside = await user.collection(name).create({ title: "inside" });
    // Then the in-scope create arrives, and nothing of the out-of-scope collection reaches either client
    const event = await waitFor(seen, (e) => e.record.id === inside.id, "the in-scope create");
    assert.equal(event.action, "create");
    assert.equal(event.record.title, "inside");
    assert.ok(seen.every((e) => e.record.id !== outside.id));
    assert.deepEqual(seenOut, []);
  } finally {
    await inScope.realtime.unsubscribe().catch(() => {});
    await outOfScope.realtime.unsubscribe().catch(() => {});
  }
});

// The official PocketBase JS SDK with attachRealtime (sdk/js) against Lambdabase's WebSocket realtime.
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/realtime.test.mjs`; tests/e2e/test_js_sdk_realtime.py does it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase, { ClientResponseError } from "pocketbase";
import WebSocket from "ws";
import { attachRealtime } from "../../sdk/js/src/index.js";
import { EMAIL, PASSWORD, URL } from "./support.mjs";

const suffix = Math.random().toString(36).slice(2, 10);
const names = { authors: `rt_authors_${suffix}`, posts: `rt_posts_${suffix}`, secrets: `rt_secrets_${suffix}` };
// The fan-out runs from the change stream, polled like Lambda's event source mapping: allow it some seconds.
const EVENT_TIMEOUT = 20000;
// How long an event that must not come is waited for, once the events that must come have come.
const QUIET = 1500;

function client() {
  const pb = new PocketBase(URL);
  pb.autoCancellation(false);
  attachRealtime(pb, { WebSocket, ClientResponseError, reconnectIntervals: [100, 200, 500] });
  return pb;
}

/** Resolves with the first of `events` for which `match` holds, waiting up to `timeout` ms. */
async function waitFor(events, match, what, timeout = EVENT_TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = events.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(events)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET));

describe("official JS SDK with attachRealtime: record events over the WebSocket API", () => {
  const admin = new PocketBase(URL);
  admin.autoCancellation(false);
  const guest = client();
  const member = client();
  let author;

  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await admin.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    const authors = await admin.collections.create({
      name: names.authors, type: "base", listRule: "", viewRule: "",
      fields: [{ name: "name", type: "text" }],
    });
    await admin.collections.create({
      name: names.posts, type: "base", listRule: "", viewRule: "",
      fields: [
        { name: "title", type: "text" },
        { name: "score", type: "number" },
        { name: "author", type: "relation", collectionId: authors.id, maxSelect: 1 },
      ],
    });
    await admin.collections.create({
      name: names.secrets, type: "base", listRule: '@request.auth.id != ""', viewRule: '@request.auth.id != ""',
      fields: [{ name: "note", type: "text" }],
    });
    author = await admin.collection(names.authors).create({ name: "Ann" });
    const email = `rt-${suffix}@example.com`;
    await member.collection("users").create({ email, password: "Member-pass-123", passwordConfirm: "Member-pass-123" });
    await member.collection("users").authWithPassword(email, "Member-pass-123");
  });

  after(async () => {
    guest.realtime.close();
    member.realtime.close();
    for (const name of [names.posts, names.secrets, names.authors]) {
      await admin.collections.delete(name).catch(() => {});
    }
  });

  test("collection subscription: create, update and delete events, shaped as the REST API", async () => {
    // Given a guest subscribed to every post
    const events = [];
    const unsubscribe = await guest.collection(names.posts).subscribe("*", (e) => events.push(e));
    assert.ok(guest.realtime.isConnected);
    // When a post is created, updated and deleted
    const post = await admin.collection(names.posts).create({ title: "hello", score: 1 });
    const created = await waitFor(events, (e) => e.action === "create" && e.record.id === post.id, "the create");
    await admin.collection(names.posts).update(post.id, { title: "hello again" });
    const updated = await waitFor(events, (e) => e.action === "update" && e.record.id === post.id, "the update");
    await admin.collection(names.posts).delete(post.id);
    const deleted = await waitFor(events, (e) => e.action === "delete" && e.record.id === post.id, "the delete");
    // Then each came with the record as the guest would read it
    assert.deepEqual(created.record, { ...post });
    assert.equal(updated.record.title, "hello again");
    assert.equal(deleted.record.title, "hello again");
    await unsubscribe();
  });

  test("record subscription hears its record only", async () => {
    // Given a subscription to one post
    const [watched, other] = await Promise.all([
      admin.collection(names.posts).create({ title: "watched" }),
      admin.collection(names.posts).create({ title: "other" }),
    ]);
    const events = [];
    await guest.collection(names.posts).subscribe(watched.id, (e) => events.push(e));
    // When both posts change
    await admin.collection(names.posts).update(other.id, { title: "other 2" });
    await admin.collection(names.posts).update(watched.id, { title: "watched 2" });
    // Then only the watched one's event arrives
    await waitFor(events, (e) => e.record.id === watched.id && e.record.title === "watched 2", "the watched update");
    await quiet();
    // (the watched post's create may come too: the fan-out matches a change when the stream delivers it, so a
    // subscription made just after a write can still hear it)
    assert.ok(events.every((e) => e.record.id === watched.id), JSON.stringify(events));
    await guest.collection(names.posts).unsubscribe(watched.id);
  });

  test("filter and expand options: only matching records, with the relation expanded", async () => {
    // Given a subscription with a filter and an expand
    const events = [];
    await guest.collection(names.posts).subscribe("*", (e) => events.push(e), {
      filter: "score > 5", expand: "author",
    });
    // When a low and a high scoring post are created
    const low = await admin.collection(names.posts).create({ title: "low", score: 1, author: author.id });
    const high = await admin.collection(names.posts).create({ title: "high", score: 9, author: author.id });
    // Then only the high one arrives, its author expanded
    const event = await waitFor(events, (e) => e.record.id === high.id, "the matching post");
    assert.equal(event.record.expand.author.name, "Ann");
    await quiet();
    assert.ok(!events.some((e) => e.record.id === low.id), "the filtered-out post must not arrive");
    await guest.collection(names.posts).unsubscribe();
  });

  test("rules: a guest hears nothing of what the listRule hides, a signed-in user hears it, deletes included", async () => {
    // Given a guest and a signed-in user subscribed to a collection readable by signed-in users only
    const seenByGuest = [];
    const seenByMember = [];
    await guest.collection(names.secrets).subscribe("*", (e) => seenByGuest.push(e));
    await member.collection(names.secrets).subscribe("*", (e) => seenByMember.push(e));
    // When a record is created and deleted
    const secret = await admin.collection(names.secrets).create({ note: "psst" });
    await waitFor(seenByMember, (e) => e.action === "create" && e.record.id === secret.id, "the member's create");
    await admin.collection(names.secrets).delete(secret.id);
    // Then the member hears both, the guest neither
    await waitFor(seenByMember, (e) => e.action === "delete" && e.record.id === secret.id, "the member's delete");
    await quiet();
    assert.deepEqual(seenByGuest, []);
    await guest.collection(names.secrets).unsubscribe();
    await member.collection(names.secrets).unsubscribe();
  });

  test("unsubscribe: the listener hears nothing more while another still does", async () => {
    // Given two subscribers, one of which unsubscribes
    const kept = [];
    const dropped = [];
    await member.collection(names.posts).subscribe("*", (e) => kept.push(e));
    const unsubscribe = await guest.collection(names.posts).subscribe("*", (e) => dropped.push(e));
    await unsubscribe();
    assert.equal(guest.realtime.isConnected, false, "the last subscription closes the socket");
    // When a post is created
    const post = await admin.collection(names.posts).create({ title: "after" });
    // Then only the remaining subscriber hears it
    await waitFor(kept, (e) => e.record.id === post.id, "the remaining subscriber's event");
    await quiet();
    assert.deepEqual(dropped, []);
    await member.collection(names.posts).unsubscribe();
  });

  test("reconnect: after the stack drops the socket the client resubscribes and hears events again", async () => {
    // Given a subscriber, and the stack dropping its connection (API Gateway's DeleteConnection)
    const events = [];
    const disconnects = [];
    guest.realtime.onDisconnect = (active) => disconnects.push(active);
    await guest.collection(names.posts).subscribe("*", (e) => events.push(e));
    const first = guest.realtime.clientId;
    assert.ok(first);
    const dropped = await fetch(`${URL}/_aws/ws/@connections/${encodeURIComponent(first)}`, { method: "DELETE" });
    assert.ok(dropped.status < 300, `DeleteConnection answered ${dropped.status}`);
    // When the client has reconnected
    await waitFor([guest.realtime], (rt) => rt.isConnected && rt.clientId && rt.clientId !== first, "the reconnect");
    assert.equal(disconnects.length, 1);
    // Then a new post reaches it on the new connection
    const post = await admin.collection(names.posts).create({ title: "back" });
    await waitFor(events, (e) => e.record.id === post.id, "the event after the reconnect");
    guest.realtime.onDisconnect = undefined;
    await guest.collection(names.posts).unsubscribe();
  });

  test("a token the server refuses on connect leaves a guest that hears public events", async () => {
    // Given a client whose auth store holds a token the server refuses
    const stale = client();
    const errors = [];
    stale.realtime.onError = (err) => errors.push(err.status);
    stale.authStore.save("not-a-token", null);
    const events = [];
    await stale.collection(names.posts).subscribe("*", (e) => events.push(e));
    // When a post is created, Then the connection, a guest, hears it, and the refusal was reported
    const post = await admin.collection(names.posts).create({ title: "public" });
    await waitFor(events, (e) => e.record.id === post.id, "the guest's event");
    assert.deepEqual(errors, [401]);
    stale.realtime.close();
  });

  test("a subscription the server refuses rejects with a ClientResponseError", async () => {
    await assert.rejects(guest.realtime.subscribe("x".repeat(3000), () => {}), (err) => {
      assert.ok(err instanceof ClientResponseError);
      assert.equal(err.status, 400);
      return true;
    });
  });
});

// The official PocketBase JS SDK, unmodified, over PocketBase's SSE protocol (GET/POST /api/realtime) against
// Lambdabase's SSE bridge. Node has no EventSource: the `eventsource` package stands in, as PocketBase's docs say.
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/realtime_sse.test.mjs`;
// tests/e2e/test_js_sdk_realtime_sse.py does it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { EventSource } from "eventsource";
import PocketBase from "pocketbase";
import { EMAIL, PASSWORD, URL } from "./support.mjs";

globalThis.EventSource = EventSource;

const suffix = Math.random().toString(36).slice(2, 10);
const names = { posts: `sse_posts_${suffix}`, secrets: `sse_secrets_${suffix}` };
// The fan-out runs from the change stream, polled like Lambda's event source mapping: allow it some seconds.
const EVENT_TIMEOUT = 20000;
// How long an event that must not come is waited for, once the events that must come have come.
const QUIET = 1500;

function client() {
  const pb = new PocketBase(URL);
  pb.autoCancellation(false);
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

describe("official JS SDK over SSE: record events through the bridge", () => {
  const admin = client();
  const guest = client();
  const member = client();

  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await admin.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    await admin.collections.create({
      name: names.posts, type: "base", listRule: "", viewRule: "",
      fields: [{ name: "title", type: "text" }, { name: "score", type: "number" }],
    });
    await admin.collections.create({
      name: names.secrets, type: "base", listRule: '@request.auth.id != ""', viewRule: '@request.auth.id != ""',
      fields: [{ name: "note", type: "text" }],
    });
    const email = `sse-${suffix}@example.com`;
    await member.collection("users").create({ email, password: "Member-pass-123", passwordConfirm: "Member-pass-123" });
    await member.collection("users").authWithPassword(email, "Member-pass-123");
  });

  after(async () => {
    await guest.realtime.unsubscribe().catch(() => {});
    await member.realtime.unsubscribe().catch(() => {});
    for (const name of [names.posts, names.secrets]) {
      await admin.collections.delete(name).catch(() => {});
    }
  });

  test("collection subscription: create, update and delete events, shaped as the REST API", async () => {
    // Given a guest subscribed to every post over SSE
    const events = [];
    const unsubscribe = await guest.collection(names.posts).subscribe("*", (e) => events.push(e));
    assert.ok(guest.realtime.isConnected);
    assert.ok(guest.realtime.clientId, "PB_CONNECT gave the SDK its client id");
    // When a post is created, updated and deleted
    const post = await admin.collection(names.posts).create({ title: "hello", score: 1 });
    const created = await waitFor(events, (e) => e.action === "create" && e.record.id === post.id, "the create");
    await admin.collection(names.posts).update(post.id, { title: "hello again" });
    const updated = await waitFor(events, (e) => e.action === "update" && e.record.id === post.id, "the update");
    await admin.collection(names.posts).delete(post.id);
    const deleted = await waitFor(events, (e) => e.action === "delete" && e.record.id === post.id, "the delete");
    // Then each came, in write order, with the record as the guest would read it
    assert.deepEqual(created.record, { ...post });
    assert.equal(updated.record.title, "hello again");
    assert.equal(deleted.record.title, "hello again");
    assert.deepEqual(events.filter((e) => e.record.id === post.id).map((e) => e.action),
      ["create", "update", "delete"]);
    await unsubscribe();
  });

  test("record subscription hears its record only", async () => {
    const [watched, other] = await Promise.all([
      admin.collection(names.posts).create({ title: "watched" }),
      admin.collection(names.posts).create({ title: "other" }),
    ]);
    const events = [];
    // Given a subscription to one post, When both posts change
    await guest.collection(names.posts).subscribe(watched.id, (e) => events.push(e));
    await admin.collection(names.posts).update(other.id, { title: "other 2" });
    await admin.collection(names.posts).update(watched.id, { title: "watched 2" });
    // Then only the watched one's events arrive (its create may too: the fan-out runs after the write, from the
    // change stream, and may find the subscription already there)
    await waitFor(events, (e) => e.record.id === watched.id && e.record.title === "watched 2", "the watched update");
    await quiet();
    assert.ok(events.every((e) => e.record.id === watched.id), JSON.stringify(events));
    await guest.collection(names.posts).unsubscribe(watched.id);
  });

  test("rules hide events from a guest but not from a signed-in user", async () => {
    // Given a guest and a user subscribed to a collection only signed-in users may list
    const seenByGuest = [];
    const seenByMember = [];
    await guest.collection(names.secrets).subscribe("*", (e) => seenByGuest.push(e));
    await member.collection(names.secrets).subscribe("*", (e) => seenByMember.push(e));
    // When a secret is created
    const secret = await admin.collection(names.secrets).create({ note: "psst" });
    // Then the user hears it and the guest does not
    await waitFor(seenByMember, (e) => e.record.id === secret.id, "the user's event");
    await quiet();
    assert.deepEqual(seenByGuest, []);
    await guest.collection(names.secrets).unsubscribe();
    await member.collection(names.secrets).unsubscribe();
  });

  test("unsubscribe stops the events", async () => {
    // Given a subscription that is then removed
    const events = [];
    const unsubscribe = await guest.collection(names.posts).subscribe("*", (e) => events.push(e));
    const first = await admin.collection(names.posts).create({ title: "before" });
    await waitFor(events, (e) => e.record.id === first.id, "the event before unsubscribing");
    await unsubscribe();
    // When another post is created
    await admin.collection(names.posts).create({ title: "after" });
    await quiet();
    // Then nothing more arrived
    assert.deepEqual(events.map((e) => e.record.id), [first.id]);
  });
});

// attachRealtime over a fake server: discovery, subscribe and its ack or error, events, unsubscribe.
import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase, { ClientResponseError } from "pocketbase";
import WebSocket from "ws";
import { attachRealtime, RealtimeError } from "../src/index.js";
import { FakeServer, until } from "../testing/fake_server.mjs";

describe("attachRealtime: subscriptions", () => {
  let server;
  let pb;

  before(async () => {
    server = await new FakeServer().start();
  });
  after(async () => server.stop());
  afterEach(() => pb?.realtime.close());

  function client(options = {}) {
    pb = new PocketBase(server.url);
    attachRealtime(pb, { WebSocket, ClientResponseError, ...options });
    return pb;
  }

  test("collection subscribe discovers the socket through pb, authenticates, and resolves on the ack", async () => {
    // Given a client whose auth store holds a token
    const pb = client();
    pb.authStore.save("token-1", { id: "u1", collectionName: "users" });
    const before = server.discoveries.length;
    // When it subscribes to a collection
    const events = [];
    await pb.collection("posts").subscribe("*", (e) => events.push(e));
    // Then discovery went through pb.send (with its Authorization), auth came first, then the subscribe
    assert.equal(server.discoveries.length, before + 1);
    assert.equal(server.discoveries.at(-1).authorization, "token-1");
    const conn = server.open.at(-1);
    assert.deepEqual(conn.received.map((m) => m.type), ["auth", "subscribe"]);
    assert.equal(conn.received[0].token, "token-1");
    assert.deepEqual(conn.received[1].topics, ["posts/*"]);
    assert.ok(pb.realtime.isConnected);
    assert.equal(pb.realtime.clientId, conn.id);
    // And an event under its string reaches the callback
    server.emit("posts/*", { action: "create", record: { id: "r1" } });
    await until(() => events.length === 1, 2000, "the event");
    assert.deepEqual(events[0], { action: "create", record: { id: "r1" } });
  });

  test("options make their own string: events go to the listener of that exact string only", async () => {
    // Given two subscriptions to one record, one with expand and filter options
    const pb = client();
    const plain = [];
    const optioned = [];
    await pb.collection("posts").subscribe("r1", (e) => plain.push(e));
    await pb.collection("posts").subscribe("r1", (e) => optioned.push(e), { expand: "author", filter: "n>1" });
    const conn = server.open.at(-1);
    const key = "posts/r1?options=" + encodeURIComponent(JSON.stringify({ query: { expand: "author", filter: "n>1" } }));
    assert.deepEqual([...conn.topics], ["posts/r1", key]);
    // When the server sends an event under the optioned string
    server.emit(key, { action: "update", record: { id: "r1", expand: {} } });
    await until(() => optioned.length === 1, 2000, "the optioned event");
    // Then only that listener hears it
    assert.equal(plain.length, 0);
  });

  test("a second listener of one string sends nothing; its unsubscribe function keeps the first", async () => {
    // Given two listeners of posts/*
    const pb = client();
    const first = [];
    const second = [];
    await pb.collection("posts").subscribe("*", (e) => first.push(e));
    const unsubscribeSecond = await pb.collection("posts").subscribe("*", (e) => second.push(e));
    const conn = server.open.at(-1);
    assert.equal(conn.received.filter((m) => m.type === "subscribe").length, 1);
    // When the second unsubscribes through its function
    await unsubscribeSecond();
    // Then no unsubscribe reached the server and the first still hears events
    assert.equal(conn.received.filter((m) => m.type === "unsubscribe").length, 0);
    server.emit("posts/*", { action: "delete", record: { id: "r9" } });
    await until(() => first.length === 1, 2000, "the first listener's event");
    assert.equal(second.length, 0);
  });

  test("a refused subscribe rejects with a ClientResponseError and leaves the other subscriptions", async () => {
    // Given a client subscribed to posts/*
    const pb = client();
    const events = [];
    await pb.collection("posts").subscribe("*", (e) => events.push(e));
    // When a subscription the server refuses is asked for
    await assert.rejects(pb.collection("forbidden").subscribe("*", () => {}), (err) => {
      // Then it rejects with the SDK's error class, status and data
      assert.ok(err instanceof ClientResponseError);
      assert.equal(err.status, 403);
      assert.equal(err.response.message, "Not allowed.");
      assert.deepEqual(err.data, { status: 403, message: "Not allowed.", data: {} });
      return true;
    });
    // And the listener was not kept, while posts/* still works
    assert.deepEqual(pb.realtime.subscriptions.has("forbidden/*"), false);
    server.emit("posts/*", { action: "create", record: { id: "r2" } });
    await until(() => events.length === 1, 2000, "the remaining subscription's event");
  });

  test("without the SDK's class the error is a RealtimeError with the same fields", async () => {
    const pb = client({ ClientResponseError: undefined });
    await assert.rejects(pb.collection("forbidden").subscribe("x", () => {}), (err) => {
      assert.ok(err instanceof RealtimeError);
      assert.equal(err.status, 403);
      assert.equal(err.response.message, "Not allowed.");
      return true;
    });
    assert.equal(pb.realtime.isConnected, false, "nothing left to listen to closes the socket");
  });

  test("collection unsubscribe() removes every string of the collection; the last one closes the socket", async () => {
    // Given subscriptions to posts/* , posts/r1 and tags/*
    const pb = client();
    const disconnects = [];
    pb.realtime.onDisconnect = (active) => disconnects.push(active);
    await pb.collection("posts").subscribe("*", () => {});
    await pb.collection("posts").subscribe("r1", () => {}, { fields: "id" });
    await pb.collection("tags").subscribe("*", () => {});
    const conn = server.open.at(-1);
    // When the posts collection unsubscribes
    await pb.collection("posts").unsubscribe();
    // Then one unsubscribe named both posts strings
    const unsubscribe = conn.received.filter((m) => m.type === "unsubscribe");
    assert.equal(unsubscribe.length, 1);
    assert.deepEqual(unsubscribe[0].topics.sort(), ["posts/*", `posts/r1?options=${encodeURIComponent('{"query":{"fields":"id"}}')}`].sort());
    assert.deepEqual([...conn.topics], ["tags/*"]);
    // When the last subscription goes
    await pb.realtime.unsubscribe("tags/*");
    // Then the socket closes and onDisconnect says no subscription is left
    await until(() => !conn.open, 2000, "the socket to close");
    assert.equal(pb.realtime.isConnected, false);
    assert.deepEqual(disconnects, [[]]);
  });

  test("subscribe right after unsubscribe keeps the order of the two on the server", async () => {
    // Given a subscription
    const pb = client();
    await pb.collection("posts").subscribe("*", () => {});
    await pb.collection("tags").subscribe("*", () => {});
    const conn = server.open.at(-1);
    // When it is dropped and taken again without waiting
    const dropped = pb.collection("posts").unsubscribe("*");
    const taken = pb.collection("posts").subscribe("*", () => {});
    await Promise.all([dropped, taken]);
    // Then the server still has it
    assert.ok(conn.topics.has("posts/*"));
  });

  test("a PB_CONNECT listener hears the connection's id, locally, never sent to the server", async () => {
    const pb = client();
    const connects = [];
    await pb.realtime.subscribe("PB_CONNECT", (e) => connects.push(e));
    const conn = server.open.at(-1);
    assert.deepEqual(connects, [{ clientId: conn.id }]);
    assert.equal(conn.received.filter((m) => m.type === "subscribe").length, 0);
  });
});

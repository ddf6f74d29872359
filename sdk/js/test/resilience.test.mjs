// attachRealtime over a fake server: following the auth store, reconnecting and resubscribing, heartbeats.
import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase, { ClientResponseError } from "pocketbase";
import WebSocket from "ws";
import { attachRealtime } from "../src/index.js";
import { FakeServer, until } from "../testing/fake_server.mjs";

describe("attachRealtime: auth, reconnect, heartbeats", () => {
  let server;
  let pb;

  before(async () => {
    server = await new FakeServer().start();
  });
  after(async () => server.stop());
  afterEach(() => {
    server.silent = false;
    pb?.realtime.close();
  });

  function client(options = {}) {
    pb = new PocketBase(server.url);
    attachRealtime(pb, { WebSocket, ClientResponseError, reconnectIntervals: [20, 40], ...options });
    return pb;
  }

  test("a new token in the auth store is sent as auth; clearing it makes the connection a guest", async () => {
    // Given a connected guest
    const pb = client();
    await pb.collection("posts").subscribe("*", () => {});
    const conn = server.open.at(-1);
    assert.equal(conn.token, "");
    // When the app signs in, then out
    pb.authStore.save("token-2", { id: "u1" });
    await until(() => conn.token === "token-2", 2000, "auth with the new token");
    pb.authStore.clear();
    // Then each change reached the server as an auth message, subscriptions untouched
    await until(() => conn.token === "", 2000, "auth as a guest");
    assert.deepEqual(conn.received.filter((m) => m.type === "auth").map((m) => m.token), ["", "token-2", ""]);
    assert.deepEqual([...conn.topics], ["posts/*"]);
  });

  test("a refused token still connects, as a guest", async () => {
    const pb = client();
    pb.authStore.save("bad", null);
    const errors = [];
    pb.realtime.onError = (err) => errors.push(err.status);
    await pb.collection("posts").subscribe("*", () => {});
    const conn = server.open.at(-1);
    assert.deepEqual(conn.received.filter((m) => m.type === "auth").map((m) => m.token), ["bad", ""]);
    assert.deepEqual(errors, [401]);
    assert.ok(pb.realtime.isConnected);
  });

  test("a refused token refresh is reported and keeps the connection's auth", async () => {
    // Given a signed-in connection
    const pb = client();
    pb.authStore.save("good", { id: "u1" });
    const errors = [];
    pb.realtime.onError = (err) => errors.push(err.status);
    await pb.collection("posts").subscribe("*", () => {});
    const conn = server.open.at(-1);
    // When the store gets a token the server refuses
    pb.authStore.save("bad", { id: "u1" });
    // Then onError hears the 401 and no guest auth follows
    await until(() => errors.length === 1, 2000, "the refusal");
    assert.deepEqual(errors, [401]);
    assert.deepEqual(conn.received.filter((m) => m.type === "auth").map((m) => m.token), ["good", "bad"]);
    assert.equal(conn.token, "good");
  });

  test("a dropped socket reconnects, re-authenticates and sets every string again", async () => {
    // Given a signed-in client with two subscriptions and a connect listener
    const pb = client();
    pb.authStore.save("token-3", { id: "u1" });
    const events = [];
    const disconnects = [];
    const connects = [];
    pb.realtime.onDisconnect = (active) => disconnects.push(active);
    await pb.realtime.subscribe("PB_CONNECT", (e) => connects.push(e.clientId));
    await pb.collection("posts").subscribe("*", (e) => events.push(e));
    await pb.collection("posts").subscribe("r1", () => {}, { expand: "author" });
    const first = server.open.at(-1);
    // When the server drops the socket
    server.dropAll();
    // Then the client says so, reconnects, authenticates with the token and sets both strings in one message
    await until(() => server.open.length === 1 && server.open[0] !== first && pb.realtime.isConnected, 3000,
      "the reconnect");
    const second = server.open[0];
    assert.equal(disconnects.length, 1);
    assert.equal(disconnects[0].length, 3);
    assert.deepEqual(second.received.map((m) => m.type), ["auth", "set"]);
    assert.equal(second.received[0].token, "token-3");
    assert.deepEqual(second.received[1].topics.sort(),
      ["posts/*", "posts/r1?options=" + encodeURIComponent('{"query":{"expand":"author"}}')].sort());
    assert.deepEqual(connects, [first.id, second.id]);
    // And events flow again
    server.emit("posts/*", { action: "create", record: { id: "r3" } });
    await until(() => events.length === 1, 2000, "an event after the reconnect");
  });

  test("a subscribe during a drop is sent once the client is back", async () => {
    // Given a connected client whose socket just dropped
    const pb = client({ reconnectIntervals: [150] });
    await pb.collection("posts").subscribe("*", () => {});
    server.dropAll();
    await until(() => !pb.realtime.isConnected, 2000, "the drop to be seen");
    // When it subscribes while reconnecting
    await pb.collection("tags").subscribe("*", () => {});
    // Then the new connection has both strings
    const conn = server.open.at(-1);
    assert.deepEqual([...conn.topics].sort(), ["posts/*", "tags/*"]);
  });

  test("a ping goes out at the interval, and an unanswered request drops the socket for a fresh one", async () => {
    // Given a client pinging every 50 ms
    const pb = client({ pingInterval: 50, requestTimeout: 200 });
    await pb.collection("posts").subscribe("*", () => {});
    const first = server.open.at(-1);
    await until(() => first.received.some((m) => m.type === "ping"), 2000, "a ping");
    // When the server stops answering subscribes
    server.silent = true;
    const pending = pb.collection("tags").subscribe("*", () => {});
    await until(() => !first.open, 3000, "the silent socket to be closed");
    // Then the client reconnects, and the subscribe goes through once the server answers again
    server.silent = false;
    await pending;
    const conn = server.open.at(-1);
    assert.notEqual(conn, first);
    assert.deepEqual([...conn.topics].sort(), ["posts/*", "tags/*"]);
  });

  test("a connection the server forgot is replaced, and the subscribe goes through on the new one", async () => {
    // Given a connected client whose connection the server's store no longer knows
    const pb = client();
    await pb.collection("posts").subscribe("*", () => {});
    const first = server.open.at(-1);
    first.forgotten = true;
    // When it subscribes, Then the 404 makes it reconnect, set its strings again and subscribe there
    await pb.collection("tags").subscribe("*", () => {});
    const conn = server.open.at(-1);
    assert.notEqual(conn, first);
    assert.deepEqual([...conn.topics].sort(), ["posts/*", "tags/*"]);
  });

  test("a first connect that fails rejects the subscribe and keeps nothing", async () => {
    // Given a server that names an unreachable socket
    const pb = client({ url: "ws://127.0.0.1:9/ws" });
    // When a subscribe is asked for, then it rejects with status 0
    await assert.rejects(pb.collection("posts").subscribe("*", () => {}), (err) => {
      assert.ok(err instanceof ClientResponseError);
      assert.equal(err.status, 0);
      return true;
    });
    assert.equal(pb.realtime.subscriptions.size, 0);
    assert.equal(pb.realtime.isConnected, false);
  });
});

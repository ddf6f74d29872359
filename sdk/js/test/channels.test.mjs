// attachRealtime's channels and presence (beyond PocketBase) over a fake server: publish, join, rejoin.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase from "pocketbase";
import WebSocket from "ws";
import { attachRealtime } from "../src/index.js";
import { FakeServer, until } from "../testing/fake_server.mjs";

describe("attachRealtime: channels and presence", () => {
  let server;
  const clients = [];

  before(async () => {
    server = await new FakeServer().start();
  });
  after(async () => {
    for (const pb of clients) pb.realtime.close();
    await server.stop();
  });

  function client() {
    const pb = new PocketBase(server.url);
    attachRealtime(pb, { WebSocket, reconnectIntervals: [20] });
    clients.push(pb);
    return pb;
  }

  test("a publish reaches the channel's subscribers; a join is heard by members and redone after a drop", async () => {
    // Given two clients, one subscribed to a channel and joined to it
    const alice = client();
    const bob = client();
    const heard = [];
    const presence = [];
    await alice.realtime.subscribe("channel:room", (e) => heard.push(e));
    assert.deepEqual((await alice.realtime.join("channel:room", { name: "alice" }, (p) => presence.push(p)))
      .map((m) => m.meta.name), ["alice"]);
    // When the other joins and publishes
    const members = await bob.realtime.join("channel:room", { name: "bob" });
    await bob.realtime.publish("channel:room", { x: 1 });
    // Then the first hears the join and the publish
    assert.deepEqual(members.map((m) => m.meta.name).sort(), ["alice", "bob"]);
    await until(() => presence.length === 1 && heard.length === 1, 2000, "the join and the publish");
    assert.equal(presence[0].event, "join");
    assert.equal(presence[0].member.meta.name, "bob");
    assert.deepEqual(heard[0], { action: "publish", data: { x: 1 }, from: null });
    // When the first's socket drops, Then it joins again with its meta on the new connection
    const before = server.received("join").length;
    server.dropAll();
    await until(() => server.received("join").length >= before + 2, 3000, "both joins again");
    const rejoins = server.received("join").slice(before).map((m) => m.meta.name).sort();
    assert.deepEqual(rejoins, ["alice", "bob"]);
  });
});

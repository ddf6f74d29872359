// Subscription strings: the adapter builds and matches them exactly as the official JS SDK's RealtimeService.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase from "pocketbase";
import { subscriptionKey } from "../src/index.js";
import { keysOfTopic, keysWithPrefix } from "../src/topics.js";

// The SDK opens an EventSource on subscribe; an inert one lets it record its keys without a server.
class InertEventSource {
  addEventListener() {}
  removeEventListener() {}
  close() {}
}

/** The key the unmodified SDK stores for `topic` and `options` (its subscriptions are keyed by them). */
async function sdkKey(topic, options) {
  globalThis.EventSource = InertEventSource;
  const pb = new PocketBase("http://127.0.0.1:9");
  pb.realtime.subscribe(topic, () => {}, options).catch(() => {});
  const keys = Object.keys(pb.realtime.subscriptions);
  await pb.realtime.unsubscribe();
  pb.realtime.disconnect(); // its connect timer would keep the process alive for 15 s
  delete globalThis.EventSource;
  return keys[0];
}

describe("subscription strings", () => {
  const cases = [
    ["posts/*", undefined],
    ["posts/abc123", { expand: "author" }],
    ["posts/*", { filter: 'title ~ "a&b" && n > 1', fields: "id,title" }],
    ["posts/*", { query: { filter: "x=1" }, headers: { "X-Token": "t" } }],
    ["posts/*", { filter: "a=1", requestKey: "k", headers: { a: "b" } }],
    ["posts?x=1", { expand: "e" }],
  ];
  for (const [topic, options] of cases) {
    test(`${topic} with ${JSON.stringify(options)} is the SDK's string`, async () => {
      // Given the SDK's own key for a topic and options
      const expected = await sdkKey(topic, options);
      // When the adapter builds it
      const key = subscriptionKey(topic, options);
      // Then both are the same string
      assert.equal(key, expected);
    });
  }

  test("a topic's keys end at `?`: posts/* matches its optioned strings, never posts/*x", () => {
    const keys = ["posts/*", "posts/*?options=%7B%7D", "posts/*x", "posts/abc"];
    assert.deepEqual(keysOfTopic(keys, "posts/*"), ["posts/*", "posts/*?options=%7B%7D"]);
    assert.deepEqual(keysOfTopic(keys, "posts/*?options=%7B%7D"), ["posts/*?options=%7B%7D"]);
  });

  test("a prefix takes every key starting with it, as RecordService.unsubscribe() expects", () => {
    const keys = ["posts/*", "posts/abc", "postscript/*", "users/*"];
    assert.deepEqual(keysWithPrefix(keys, "posts"), ["posts/*", "posts/abc", "postscript/*"]);
    assert.deepEqual(keysWithPrefix(keys, "posts/"), ["posts/*", "posts/abc"]);
  });
});

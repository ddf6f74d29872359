// attachRealtime(pb): the official PocketBase JS SDK's realtime over Lambdabase's WebSocket protocol.
import { WebSocketRealtime } from "./realtime.js";

export { WebSocketRealtime } from "./realtime.js";
export { RealtimeError } from "./errors.js";
export { subscriptionKey } from "./topics.js";

/**
 * Replaces `pb.realtime` with a WebSocket implementation of the same interface and returns it, so that
 * `pb.collection(x).subscribe(topic, callback, options)` and `unsubscribe()` work unchanged.
 *
 * @example
 *   import PocketBase, { ClientResponseError } from "pocketbase";
 *   import { attachRealtime } from "@lambdabase/realtime";
 *   const pb = new PocketBase("https://api.example.com");
 *   attachRealtime(pb, { ClientResponseError }); // Node 20: also { WebSocket } from the `ws` package
 *   await pb.collection("posts").subscribe("*", (e) => console.log(e.action, e.record));
 */
export function attachRealtime(pb, options = {}) {
  const previous = pb.realtime;
  if (previous && typeof previous.unsubscribe === "function" && !(previous instanceof WebSocketRealtime)) {
    // the SDK's own SSE client holds nothing yet in a fresh app; if it does, let it go quietly
    previous.unsubscribe().catch(() => {});
  } else if (previous instanceof WebSocketRealtime) {
    previous.close();
  }
  const realtime = new WebSocketRealtime(pb, options);
  pb.realtime = realtime;
  return realtime;
}

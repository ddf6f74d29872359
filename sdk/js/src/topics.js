// Subscription strings exactly as the official JS SDK's RealtimeService builds and matches them.
//
// A subscription string is the listeners' key: `topic` plus `?options=` and the URL-encoded JSON of
// `{query, headers}`. The server sends events back under that exact string, so two subscriptions to one
// topic with different options stay apart.

// SendOptions keys the SDK keeps as they are; any other top-level option becomes a query parameter.
const KNOWN_SEND_OPTIONS = new Set([
  "requestKey", "$cancelKey", "$autoCancel", "fetch", "headers", "body", "query", "params",
  "cache", "credentials", "integrity", "keepalive", "method", "mode", "redirect", "referrer",
  "referrerPolicy", "signal", "window",
]);

/** The SDK's normalizeUnknownQueryParams, on a copy: `{filter}` becomes `{query: {filter}}`. */
function normalizeOptions(options) {
  const copy = Object.assign({}, options);
  copy.query = copy.query || {};
  for (const key of Object.keys(copy)) {
    if (KNOWN_SEND_OPTIONS.has(key)) continue;
    copy.query[key] = copy[key];
    delete copy[key];
  }
  return copy;
}

/** The subscription string of `topic` with `options`, as RealtimeService.subscribe builds it. */
export function subscriptionKey(topic, options) {
  if (!options) return topic;
  const normalized = normalizeOptions(options);
  const serialized = "options=" + encodeURIComponent(
    JSON.stringify({ query: normalized.query, headers: normalized.headers }));
  return topic + (topic.includes("?") ? "&" : "?") + serialized;
}

/** Keys of `topic`, with any options: `?` ends the topic, so `posts/*` never matches `posts/*x`. */
export function keysOfTopic(keys, topic) {
  const prefix = topic.includes("?") ? topic : topic + "?";
  return keys.filter((key) => (key + "?").startsWith(prefix));
}

/** Keys that start with `prefix`, `?` counting as the end of a key (RecordService.unsubscribe() uses this). */
export function keysWithPrefix(keys, prefix) {
  return keys.filter((key) => (key + "?").startsWith(prefix));
}

// Topics the client itself answers and never sends to the server (as the SDK's SSE client does).
export const CONNECT_TOPIC = "PB_CONNECT";

export function isLocalTopic(key) {
  return key === CONNECT_TOPIC || key.startsWith(CONNECT_TOPIC + "?");
}

// The JS SDK's RealtimeService interface over Lambdabase's WebSocket protocol (docs/api-realtime.md).
import { Connection } from "./connection.js";
import { makeError } from "./errors.js";
import { isLocalTopic, keysOfTopic, keysWithPrefix, subscriptionKey, CONNECT_TOPIC } from "./topics.js";

const DEFAULTS = {
  // the SDK's own reconnect intervals (ms); the last one repeats
  reconnectIntervals: [200, 300, 500, 1000, 1200, 1500, 2000],
  // API Gateway drops a WebSocket idle for 10 minutes
  pingInterval: 5 * 60 * 1000,
  // the SDK's connect timeout
  requestTimeout: 15000,
  discoveryPath: "/api/realtime/websocket",
};

export class WebSocketRealtime {
  /**
   * @param {object} pb a PocketBase client (its `send` and `authStore` are used)
   * @param {object} [options] `WebSocket` (constructor; default globalThis.WebSocket), `url` (skip discovery),
   *   `ClientResponseError` (the class errors are made of), `reconnectIntervals`, `pingInterval`, `requestTimeout`
   */
  constructor(pb, options = {}) {
    this.pb = pb;
    this.options = { ...DEFAULTS, ...options };
    this.WebSocket = options.WebSocket || globalThis.WebSocket;
    if (!this.WebSocket) throw new Error("No WebSocket: pass options.WebSocket (e.g. the `ws` package) on Node.");
    this.clientId = "";
    this.onDisconnect = undefined;
    this.onError = undefined;
    this.subscriptions = new Map(); // subscription string -> listeners
    this.confirmed = new Set(); // subscription strings the server acknowledged
    this.pendingKeys = new Map(); // subscription string -> its subscribe in flight
    this.joined = new Map(); // channel -> {meta, onPresence}
    this.conn = null;
    this.ready = false;
    this.connecting = null;
    this.wasConnected = false;
    this.generation = 0;
    this.reconnectAttempts = 0;
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.connectWaiters = [];
    this.chain = Promise.resolve();
    this.url = options.url || "";
    this.stopAuthWatch = pb.authStore?.onChange?.(() => {
      this.enqueue(() => this.reauthenticate()).catch(() => {});
    }) || null;
  }

  /** Whether the connection is open and authenticated. */
  get isConnected() {
    return this.ready && !!this.conn?.isOpen;
  }

  /** Registers `callback` for `topic` (with `options`); resolves with its unsubscribe function once acknowledged. */
  async subscribe(topic, callback, options) {
    if (!topic) throw new Error("topic must be set.");
    const key = subscriptionKey(topic, options);
    const listener = (data) => callback(data || {});
    const listeners = this.subscriptions.get(key) || [];
    listeners.push(listener);
    this.subscriptions.set(key, listeners);
    let pending = this.pendingKeys.get(key);
    if (!pending && !(this.confirmed.has(key) && this.isConnected)) {
      pending = this.enqueue(() => (isLocalTopic(key) ? this.connected() : this.serverSubscribe(key)));
      this.pendingKeys.set(key, pending);
      pending.catch(() => {}).finally(() => {
        if (this.pendingKeys.get(key) === pending) this.pendingKeys.delete(key);
      });
    }
    try {
      await pending;
    } catch (err) {
      this.removeListener(key, listener);
      if (!this.hasWork()) this.disconnect();
      throw err;
    }
    return () => this.unsubscribeByTopicAndListener(topic, listener);
  }

  /** Removes every listener of `topic` (any options), or of every topic when none is given. */
  async unsubscribe(topic) {
    const keys = topic ? keysOfTopic([...this.subscriptions.keys()], topic) : [...this.subscriptions.keys()];
    for (const key of keys) this.subscriptions.delete(key);
    return this.enqueue(() => this.serverUnsubscribe(keys));
  }

  /** Removes every listener of the subscription strings starting with `keyPrefix`. */
  async unsubscribeByPrefix(keyPrefix) {
    const keys = keysWithPrefix([...this.subscriptions.keys()], keyPrefix);
    if (!keys.length) return;
    for (const key of keys) this.subscriptions.delete(key);
    return this.enqueue(() => this.serverUnsubscribe(keys));
  }

  /** Removes `listener` from the subscription strings of `topic`. */
  async unsubscribeByTopicAndListener(topic, listener) {
    const emptied = [];
    for (const key of keysOfTopic([...this.subscriptions.keys()], topic)) {
      if (this.removeListener(key, listener) && !this.subscriptions.has(key)) emptied.push(key);
    }
    return this.enqueue(() => this.serverUnsubscribe(emptied));
  }

  /** Publishes `data` to `channel:<name>` (beyond PocketBase; the channel's rule decides). */
  async publish(channel, data) {
    return this.enqueue(async () => {
      await this.connected();
      await this.conn.request({ type: "publish", channel, data });
    });
  }

  /** Joins a channel's presence with `meta`; `onPresence({event, member})` hears joins and leaves. */
  async join(channel, meta = {}, onPresence = undefined) {
    return this.enqueue(async () => {
      await this.connected();
      const ack = await this.conn.request({ type: "join", channel, meta });
      this.joined.set(channel, { meta, onPresence });
      return ack.members || [];
    });
  }

  async leave(channel) {
    this.joined.delete(channel);
    return this.enqueue(async () => {
      if (this.isConnected) await this.conn.request({ type: "leave", channel });
      if (!this.hasWork()) this.disconnect();
    });
  }

  /** Who is in a channel now. */
  async presence(channel) {
    return this.enqueue(async () => {
      await this.connected();
      return (await this.conn.request({ type: "presence", channel })).members || [];
    });
  }

  /** Closes the connection, forgets every subscription and stops following the auth store. */
  close() {
    this.subscriptions.clear();
    this.joined.clear();
    this.disconnect();
    this.stopAuthWatch?.();
    this.stopAuthWatch = null;
  }

  // -- internals -------------------------------------------------------------------------------------

  // Changes to the server's set run one at a time, in call order: the server may process the messages of one
  // connection concurrently (one Lambda invocation each), so a subscribe never overtakes an unsubscribe.
  enqueue(operation) {
    const result = this.chain.then(operation);
    this.chain = result.catch(() => {});
    return result;
  }

  hasWork() {
    return this.subscriptions.size > 0 || this.joined.size > 0;
  }

  removeListener(key, listener) {
    const listeners = this.subscriptions.get(key);
    if (!listeners) return false;
    const kept = listeners.filter((l) => l !== listener);
    if (kept.length === listeners.length) return false;
    if (kept.length) this.subscriptions.set(key, kept);
    else this.subscriptions.delete(key);
    return true;
  }

  async serverSubscribe(key) {
    for (;;) {
      if (!this.subscriptions.has(key)) return;
      await this.connected();
      if (this.confirmed.has(key)) return;
      try {
        await this.conn.request({ type: "subscribe", topics: [key] });
        this.confirmed.add(key);
        return;
      } catch (err) {
        // a refusal is the caller's error; a dropped socket is retried once the client has reconnected
        if (err.status || !this.wasConnected) throw err;
      }
    }
  }

  async serverUnsubscribe(keys) {
    const gone = keys.filter((key) => !this.subscriptions.has(key) && this.confirmed.has(key));
    for (const key of gone) this.confirmed.delete(key);
    if (!this.hasWork()) {
      this.disconnect();
      return;
    }
    if (!gone.length || !this.isConnected) return;
    try {
      await this.conn.request({ type: "unsubscribe", topics: gone });
    } catch (err) {
      // after a dropped socket the resubscribing `set` leaves these out anyway
      if (err.status) throw err;
    }
  }

  // Resolves once connected; while reconnecting after a drop it waits for the background reconnect.
  async connected() {
    for (;;) {
      if (this.isConnected) return;
      try {
        await this.connect();
        return;
      } catch (err) {
        if (!this.wasConnected || !this.hasWork()) throw err;
        await new Promise((resolve) => this.connectWaiters.push(resolve));
        if (!this.hasWork()) return;
      }
    }
  }

  connect() {
    if (!this.connecting) {
      this.connecting = this.open().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  async open() {
    clearTimeout(this.reconnectTimer);
    const generation = this.generation;
    let conn = null;
    try {
      const url = await this.discover();
      if (generation !== this.generation) throw this.transportError("Disconnected while connecting.");
      conn = new Connection(url, {
        WebSocket: this.WebSocket, ErrorClass: this.options.ClientResponseError,
        requestTimeout: this.options.requestTimeout,
        onMessage: (message) => this.dispatch(message),
        onClose: (err) => this.onConnectionClosed(conn, err),
      });
      this.conn = conn;
      await conn.open();
      await this.authenticate(conn);
      await this.resubscribe(conn);
      if (generation !== this.generation) throw this.transportError("Disconnected while connecting.");
    } catch (err) {
      if (conn && this.conn === conn) this.conn = null;
      conn?.close();
      if (!this.options.url) this.url = "";
      // Once connected, a failed attempt is retried in the background; a first connect fails to its caller.
      if (this.wasConnected && this.hasWork() && generation === this.generation) this.scheduleReconnect();
      throw err.status !== undefined ? err : this.transportError("Failed to establish realtime connection.", err);
    }
    this.ready = true;
    this.wasConnected = true;
    this.reconnectAttempts = 0;
    this.startPing(conn);
    for (const resolve of this.connectWaiters.splice(0)) resolve();
    for (const [key, listeners] of this.subscriptions) {
      if (!isLocalTopic(key)) continue;
      for (const listener of listeners) this.safely(() => listener({ clientId: this.clientId }));
    }
  }

  async discover() {
    if (this.url) return this.url;
    const answer = await this.pb.send(this.options.discoveryPath, { method: "GET", requestKey: null });
    if (!answer?.url) throw this.transportError("The server named no WebSocket URL.");
    this.url = answer.url;
    return this.url;
  }

  // On connect, a refused or expired token leaves a guest, as PocketBase ignores an invalid Authorization
  // header; a refused refresh keeps the auth the connection had (the server changes nothing then).
  async authenticate(conn, { asGuestIfRefused = true } = {}) {
    const token = this.pb.authStore?.token || "";
    let ack;
    try {
      ack = await conn.request({ type: "auth", token });
    } catch (err) {
      if (!err.status || !token || !asGuestIfRefused) throw err;
      this.safely(() => this.onError?.(err));
      ack = await conn.request({ type: "auth", token: "" });
    }
    this.clientId = String(ack.connectionId ?? "");
  }

  async reauthenticate() {
    if (this.isConnected) {
      await this.authenticate(this.conn, { asGuestIfRefused: false }).catch((err) => this.safely(() => this.onError?.(err)));
    }
  }

  // After a reconnect: one `set` of every string the server had accepted, then the channels joined.
  async resubscribe(conn) {
    for (const key of this.confirmed) if (!this.subscriptions.has(key)) this.confirmed.delete(key);
    const keys = [...this.confirmed];
    if (keys.length) {
      try {
        await conn.request({ type: "set", topics: keys });
      } catch (err) {
        if (!err.status) throw err;
        // One string the server now refuses (a deleted collection) must not cost the others theirs.
        for (const key of keys) {
          try {
            await conn.request({ type: "subscribe", topics: [key] });
          } catch (refused) {
            if (!refused.status) throw refused;
            this.confirmed.delete(key);
            this.subscriptions.delete(key);
            this.safely(() => this.onError?.(refused));
          }
        }
      }
    }
    for (const [channel, { meta }] of this.joined) {
      await conn.request({ type: "join", channel, meta }).catch((err) => {
        if (!err.status) throw err;
        this.joined.delete(channel);
      });
    }
  }

  dispatch(message) {
    if (message.type === "event") {
      for (const listener of this.subscriptions.get(message.topic) || []) {
        this.safely(() => listener(message.data));
      }
    } else if (message.type === "presence") {
      const joined = this.joined.get(message.channel);
      this.safely(() => joined?.onPresence?.({ event: message.event, member: message.member }));
    } else if (message.type === "error") {
      this.safely(() => this.onError?.(makeError(this.options.ClientResponseError, message)));
    }
  }

  onConnectionClosed(conn, _err) {
    if (conn !== this.conn) return;
    this.conn = null;
    clearInterval(this.pingTimer);
    const wasReady = this.ready;
    this.ready = false;
    this.clientId = "";
    if (!wasReady) return; // a socket that closes while connecting fails open(), which retries
    this.safely(() => this.onDisconnect?.([...this.subscriptions.keys()]));
    if (this.hasWork()) this.scheduleReconnect();
  }

  scheduleReconnect() {
    clearTimeout(this.reconnectTimer);
    const intervals = this.options.reconnectIntervals;
    const delay = intervals[Math.min(this.reconnectAttempts, intervals.length - 1)];
    this.reconnectAttempts++;
    this.reconnectTimer = setTimeout(() => {
      if (!this.hasWork() || this.isConnected) return;
      this.connect().catch(() => {});
    }, delay);
  }

  startPing(conn) {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      // no pong in time closes the socket (Connection.request), and the client reconnects
      conn.request({ type: "ping" }).catch(() => {});
    }, this.options.pingInterval);
    this.pingTimer.unref?.();
  }

  // Called when nothing is left to listen to, as the SDK closes its EventSource then.
  disconnect() {
    this.generation++;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    this.reconnectAttempts = 0;
    this.wasConnected = false;
    const conn = this.conn;
    const wasReady = this.ready;
    this.conn = null;
    this.ready = false;
    if (wasReady) this.safely(() => this.onDisconnect?.([...this.subscriptions.keys()]));
    this.clientId = "";
    this.confirmed.clear();
    conn?.close();
    for (const resolve of this.connectWaiters.splice(0)) resolve();
  }

  transportError(message, cause = null) {
    return makeError(this.options.ClientResponseError, { status: 0, message, cause });
  }

  safely(fn) {
    try {
      fn();
    } catch (err) {
      // one listener's exception must not stop the others (EventSource dispatch reports and goes on too)
      if (typeof globalThis.reportError === "function") globalThis.reportError(err);
      else console.error(err);
    }
  }
}

export { CONNECT_TOPIC };

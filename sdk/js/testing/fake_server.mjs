// A fake Lambdabase for the adapter's tests: discovery over HTTP and the WebSocket protocol of docs/api-realtime.md.
import http from "node:http";
import { WebSocketServer } from "ws";

export class FakeServer {
  constructor() {
    this.connections = []; // every connection ever opened: {id, socket, received, topics, token}
    this.discoveries = [];
    this.refuse = (topic) => (topic.startsWith("forbidden") ? { status: 403, message: "Not allowed.", data: {} } : null);
    this.silent = false; // when set, subscribe messages get no answer
    this.nextId = 1;
  }

  async start() {
    this.http = http.createServer((req, res) => {
      if (req.method === "GET" && req.url.startsWith("/api/realtime/websocket")) {
        this.discoveries.push({ authorization: req.headers.authorization || "" });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ url: `ws://127.0.0.1:${this.port}/ws` }));
        return;
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: 404, message: "Not found.", data: {} }));
    });
    this.wss = new WebSocketServer({ server: this.http, path: "/ws" });
    this.wss.on("connection", (socket) => this.accept(socket));
    await new Promise((resolve) => this.http.listen(0, "127.0.0.1", resolve));
    this.port = this.http.address().port;
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  accept(socket) {
    const conn = { id: `conn${this.nextId++}`, socket, received: [], topics: new Set(), token: null, open: true };
    this.connections.push(conn);
    socket.on("close", () => {
      conn.open = false;
    });
    socket.on("message", (raw) => {
      const message = JSON.parse(String(raw));
      conn.received.push(message);
      const reply = this.answer(conn, message);
      if (reply) socket.send(JSON.stringify({ id: message.id, ...reply }));
    });
  }

  answer(conn, message) {
    if (conn.forgotten && message.type !== "ping") {
      return { type: "error", status: 404, message: "Missing or invalid client id.", data: {} };
    }
    switch (message.type) {
      case "auth":
        if (message.token === "bad") return { type: "error", status: 401, message: "Invalid token.", data: {} };
        conn.token = message.token;
        return { type: "ack", connectionId: conn.id, auth: message.token ? { collectionId: "users", recordId: "u1" } : null };
      case "subscribe":
        if (this.silent) return null;
        for (const topic of message.topics) {
          const refusal = this.refuse(topic);
          if (refusal) return { type: "error", ...refusal };
        }
        for (const topic of message.topics) conn.topics.add(topic);
        return { type: "ack" };
      case "set":
        conn.topics = new Set(message.topics);
        return { type: "ack" };
      case "unsubscribe":
        if (message.topics === undefined) conn.topics.clear();
        else for (const topic of message.topics) conn.topics.delete(topic);
        return { type: "ack" };
      case "ping":
        return { type: "pong" };
      case "publish":
        for (const other of this.open) {
          if (other.topics.has(message.channel)) {
            other.socket.send(JSON.stringify({ type: "event", topic: message.channel,
              data: { action: "publish", data: message.data, from: null } }));
          }
        }
        return { type: "ack" };
      case "join": {
        const member = { connectionId: conn.id, auth: null, meta: message.meta };
        for (const other of this.open) {
          if (other !== conn && other.joined?.has(message.channel)) {
            other.socket.send(JSON.stringify({ type: "presence", channel: message.channel, event: "join", member }));
          }
        }
        conn.joined = new Map([...(conn.joined || []), [message.channel, member]]);
        return { type: "ack", members: this.open.filter((c) => c.joined?.has(message.channel))
          .map((c) => c.joined.get(message.channel)) };
      }
      default:
        return { type: "error", status: 400, message: `Unknown message type ${message.type}.`, data: {} };
    }
  }

  get open() {
    return this.connections.filter((c) => c.open);
  }

  /** Sends an event under `topic` to every open connection subscribed to exactly that string. */
  emit(topic, data) {
    for (const conn of this.open) {
      if (conn.topics.has(topic)) conn.socket.send(JSON.stringify({ type: "event", topic, data }));
    }
  }

  /** Drops every socket without a close frame, as API Gateway's DeleteConnection does from the client's view. */
  dropAll() {
    for (const conn of this.open) conn.socket.terminate();
  }

  received(type) {
    return this.connections.flatMap((c) => c.received.filter((m) => m.type === type));
  }

  async stop() {
    for (const conn of this.connections) conn.socket.terminate();
    this.wss.close();
    await new Promise((resolve) => this.http.close(resolve));
  }
}

/** Resolves once `check()` is truthy, polling every 10 ms (rejects after `timeout` ms). */
export async function until(check, timeout = 3000, what = "condition") {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// One WebSocket of the realtime protocol: JSON frames, requests matched to their answer by `id`.
import { makeError } from "./errors.js";

const OPEN = 1;
// The server's answer to a message on a connection it no longer knows (its state expired or was dropped):
// the socket is useless then, so it is treated as a lost connection, which the client replaces.
const UNKNOWN_CONNECTION = "Missing or invalid client id.";

export class Connection {
  /**
   * @param {string} url the WebSocket URL from discovery
   * @param {object} hooks `WebSocket` (the constructor), `ErrorClass`, `requestTimeout` (ms),
   *   `onMessage(message)` for messages no request waits for, `onClose(error)` once when the socket ends
   */
  constructor(url, hooks) {
    this.url = url;
    this.hooks = hooks;
    this.socket = null;
    this.nextId = 1;
    this.waiting = new Map();
    this.closed = false;
  }

  /** Opens the socket; resolves once it is open, rejects if it closes or errors first. */
  open() {
    return new Promise((resolve, reject) => {
      let opened = false;
      const socket = new this.hooks.WebSocket(this.url);
      this.socket = socket;
      socket.onopen = () => {
        opened = true;
        resolve();
      };
      socket.onmessage = (event) => this.receive(event.data);
      socket.onerror = () => {};
      socket.onclose = (event) => {
        const error = this.error(0, `The realtime connection closed (code ${event?.code ?? "unknown"}).`);
        if (!opened) reject(error);
        this.end(error);
      };
    });
  }

  get isOpen() {
    return !this.closed && this.socket?.readyState === OPEN;
  }

  /** Sends `message` with a fresh id and resolves with the answer, or rejects with its `error`. */
  request(message, timeout = this.hooks.requestTimeout) {
    if (!this.isOpen) return Promise.reject(this.error(0, "The realtime connection is not open."));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(this.error(0, `No answer to ${message.type} within ${timeout} ms.`));
        // An unanswered request means a dead socket: closing it lets the client reconnect.
        this.close();
      }, timeout);
      this.waiting.set(id, { resolve, reject, timer });
      try {
        this.socket.send(JSON.stringify({ ...message, id }));
      } catch (err) {
        // a socket closing under us: the request fails as the connection does
        clearTimeout(timer);
        this.waiting.delete(id);
        reject(this.error(0, `The realtime connection failed: ${err?.message || err}`));
      }
    });
  }

  receive(raw) {
    let message;
    try {
      message = JSON.parse(typeof raw === "string" ? raw : String(raw));
    } catch {
      return;
    }
    if (!message || typeof message !== "object") return;
    const pending = message.id !== undefined && message.id !== null ? this.waiting.get(message.id) : undefined;
    if (pending && (message.type === "ack" || message.type === "pong" || message.type === "error")) {
      this.waiting.delete(message.id);
      clearTimeout(pending.timer);
      if (message.type === "error" && message.status === 404 && message.message === UNKNOWN_CONNECTION) {
        pending.reject(this.error(0, message.message));
        this.close();
      } else if (message.type === "error") {
        pending.reject(this.error(message.status || 400, message.message, message.data));
      } else {
        pending.resolve(message);
      }
      return;
    }
    this.hooks.onMessage(message);
  }

  error(status, message, data) {
    return makeError(this.hooks.ErrorClass, { status, message, data, url: this.url });
  }

  /** Closes the socket from this side; onClose still runs once. */
  close() {
    if (this.socket && this.socket.readyState <= OPEN) {
      try {
        this.socket.close();
      } catch {
        // a socket that cannot close is gone already
      }
    }
    this.end(this.error(0, "The realtime connection was closed."));
  }

  end(error) {
    if (this.closed) return;
    this.closed = true;
    for (const { reject, timer } of this.waiting.values()) {
      clearTimeout(timer);
      reject(error);
    }
    this.waiting.clear();
    this.hooks.onClose(error);
  }
}

// Types of attachRealtime(pb): the SDK's RealtimeService interface, plus channels and presence.

export type UnsubscribeFunc = () => Promise<void>;

export interface AttachRealtimeOptions {
  /** The WebSocket constructor; default globalThis.WebSocket (Node 20: pass the `ws` package's). */
  WebSocket?: any;
  /** The class errors are made of, e.g. the SDK's ClientResponseError; default RealtimeError. */
  ClientResponseError?: new (data: any) => Error;
  /** The WebSocket URL; skips discovery at GET /api/realtime/websocket. */
  url?: string;
  /** Milliseconds between reconnect attempts; the last repeats. Default the SDK's 200 .. 2000. */
  reconnectIntervals?: number[];
  /** Milliseconds between pings; default 5 minutes. */
  pingInterval?: number;
  /** Milliseconds to wait for an answer before the socket is replaced; default 15000. */
  requestTimeout?: number;
}

export interface PresenceMember {
  connectionId: string;
  auth: { collectionId: string; recordId: string } | null;
  meta: Record<string, unknown>;
}

export declare class RealtimeError extends Error {
  status: number;
  response: { status?: number; message?: string; data?: Record<string, unknown> };
  url: string;
  isAbort: boolean;
  originalError: unknown;
  get data(): RealtimeError["response"];
}

export declare class WebSocketRealtime {
  clientId: string;
  onDisconnect?: (activeSubscriptions: Array<string>) => void;
  onError?: (err: Error) => void;
  readonly isConnected: boolean;
  subscribe(topic: string, callback: (data: any) => void, options?: Record<string, any>): Promise<UnsubscribeFunc>;
  unsubscribe(topic?: string): Promise<void>;
  unsubscribeByPrefix(keyPrefix: string): Promise<void>;
  unsubscribeByTopicAndListener(topic: string, listener: EventListener | ((data: any) => void)): Promise<void>;
  publish(channel: string, data: unknown): Promise<void>;
  join(channel: string, meta?: Record<string, unknown>,
       onPresence?: (e: { event: "join" | "leave"; member: PresenceMember }) => void): Promise<PresenceMember[]>;
  leave(channel: string): Promise<void>;
  presence(channel: string): Promise<PresenceMember[]>;
  close(): void;
}

export declare function subscriptionKey(topic: string, options?: Record<string, any>): string;

export declare function attachRealtime(pb: any, options?: AttachRealtimeOptions): WebSocketRealtime;

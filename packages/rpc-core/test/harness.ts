import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import type WebSocket from "ws";
import {
  Peer,
  WebSocketTransport,
  connectWebSocket,
  createInMemoryTransportPair,
} from "../src/index.js";
import type { PeerOptions, Transport, TransportCloseInfo } from "../src/index.js";

/** Per-connection context the test routers receive. */
export interface TestCtx {
  connId: string;
  scopes: string[];
}

/** A connected client/server pair of peers plus their raw transports. */
export interface Harness {
  client: Peer;
  server: Peer<TestCtx>;
  /** The client's transport (write raw text to the server peer with it). */
  clientTransport: Transport;
  /** The server's transport (write raw text to the client peer with it). */
  serverTransport: Transport;
  /** Tears everything down. */
  dispose(): Promise<void>;
}

export interface HarnessOptions {
  server?: Omit<PeerOptions<TestCtx>, "context"> & { context?: TestCtx };
  client?: PeerOptions<undefined>;
}

const defaultCtx = (): TestCtx => ({ connId: "c1", scopes: ["operator.read"] });

/** Both peers over {@link createInMemoryTransportPair}. */
export async function inMemoryHarness(options: HarnessOptions = {}): Promise<Harness> {
  const [clientTransport, serverTransport] = createInMemoryTransportPair();
  const server = new Peer<TestCtx>(serverTransport, { context: defaultCtx(), ...options.server });
  const client = new Peer(clientTransport, options.client ?? {});
  return {
    client,
    server,
    clientTransport,
    serverTransport,
    dispose: async () => {
      client.close();
      server.close();
    },
  };
}

/** Both peers over real `ws` sockets on 127.0.0.1 (port 0). */
export async function wsHarness(options: HarnessOptions = {}): Promise<Harness> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const { port } = wss.address() as AddressInfo;
  const accepted = new Promise<WebSocket>((resolve) => wss.once("connection", (socket) => resolve(socket)));
  const clientTransport = await connectWebSocket(`ws://127.0.0.1:${port}`);
  const serverTransport = new WebSocketTransport(await accepted);
  const server = new Peer<TestCtx>(serverTransport, { context: defaultCtx(), ...options.server });
  const client = new Peer(clientTransport, options.client ?? {});
  return {
    client,
    server,
    clientTransport,
    serverTransport,
    dispose: async () => {
      clientTransport.socket.terminate();
      serverTransport.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** The two transports every peer behaviour is tested over. */
export const TRANSPORTS = [
  ["in-memory", inMemoryHarness],
  ["ws", wsHarness],
] as const;

/** Resolves on the next emission of a one-argument subscription. */
export function next<T>(subscribe: (listener: (value: T) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve) => {
    const off = subscribe((value) => {
      off();
      resolve(value);
    });
  });
}

/** Collects every emission of a subscription. */
export function collect<T>(subscribe: (listener: (value: T) => void) => () => void): T[] {
  const values: T[] = [];
  subscribe((value) => values.push(value));
  return values;
}

/** Lets pending I/O and microtasks run (a macrotask turn, repeated). */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A transport whose inbound side the test drives synchronously: `inject` calls the
 * message listeners directly (no isolation, so a listener's exception reaches the
 * caller), `sent` records what the peer wrote.
 */
export class ManualTransport implements Transport {
  readonly sent: string[] = [];
  readonly #messageListeners = new Set<(text: string) => void>();
  readonly #closeListeners = new Set<(info: TransportCloseInfo) => void>();
  #open = true;

  get isOpen(): boolean {
    return this.#open;
  }

  get bufferedAmount(): number {
    return 0;
  }

  send(text: string): void {
    if (!this.#open) throw new Error("closed");
    this.sent.push(text);
  }

  close(code = 1005, reason = ""): void {
    if (!this.#open) return;
    this.#open = false;
    for (const listener of this.#closeListeners) listener({ code, reason });
  }

  onMessage(listener: (text: string) => void): () => void {
    this.#messageListeners.add(listener);
    return () => this.#messageListeners.delete(listener);
  }

  onClose(listener: (info: TransportCloseInfo) => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /** Delivers one inbound text to the listeners, synchronously. */
  inject(text: string): void {
    for (const listener of this.#messageListeners) listener(text);
  }

  /** The frames written so far, parsed. */
  sentFrames(): Record<string, unknown>[] {
    return this.sent.map((text) => JSON.parse(text) as Record<string, unknown>);
  }
}

import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import type WebSocket from "ws";

/** One accepted socket of a {@link ScriptedGateway}, driven step by step by a test. */
export interface ScriptedSocket {
  /** Sends a JSON frame. */
  send(frame: unknown): void;
  /** Sends `connect.challenge` (default: fresh nonce, `ts = Date.now()`). */
  challenge(payload?: Record<string, unknown>): { nonce: string; ts: number };
  /** The next inbound frame, parsed (rejects after `timeoutMs`, default 5000). */
  next(timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Answers the request `id` with `hello-ok`-like payload merged over sane defaults. */
  helloOk(id: string, overrides?: Record<string, unknown>): void;
  close(code?: number, reason?: string): void;
  /** Resolves with the close code/reason the client sent. */
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly raw: WebSocket;
}

/** A raw `ws` server whose behaviour each test scripts (handshake edge cases). */
export interface ScriptedGateway {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** The minimal valid `hello-ok` payload. */
export function helloPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "hello-ok",
    protocol: 4,
    server: { version: "2026.9.6", connId: randomUUID() },
    features: { methods: ["health"], events: ["tick"] },
    snapshot: { presence: [], health: {}, stateVersion: { presence: 0, health: 0 }, uptimeMs: 1 },
    auth: { role: "operator", scopes: ["operator.read"] },
    policy: { maxPayload: 26_214_400, maxBufferedBytes: 52_428_800, tickIntervalMs: 30_000 },
    ...overrides,
  };
}

/** Starts a scripted gateway on 127.0.0.1; `script` runs for every accepted socket. */
export async function startScriptedGateway(script: (socket: ScriptedSocket) => void | Promise<void>): Promise<ScriptedGateway> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  wss.on("connection", (ws) => {
    const inbox: Record<string, unknown>[] = [];
    const waiters: ((frame: Record<string, unknown>) => void)[] = [];
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      const waiter = waiters.shift();
      if (waiter !== undefined) waiter(frame);
      else inbox.push(frame);
    });
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    const socket: ScriptedSocket = {
      raw: ws,
      closed,
      send: (frame) => ws.send(JSON.stringify(frame)),
      challenge: (payload) => {
        const body = { nonce: randomUUID(), ts: Date.now(), capabilities: ["model-catalog-snapshot"], ...payload };
        ws.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: body }));
        return { nonce: String(body.nonce), ts: Number(body.ts) };
      },
      next: (timeoutMs = 5_000) =>
        new Promise((resolve, reject) => {
          const queued = inbox.shift();
          if (queued !== undefined) {
            resolve(queued);
            return;
          }
          const timer = setTimeout(() => reject(new Error("no frame")), timeoutMs);
          waiters.push((frame) => {
            clearTimeout(timer);
            resolve(frame);
          });
        }),
      helloOk: (id, overrides) =>
        ws.send(JSON.stringify({ type: "res", id, ok: true, payload: helloPayload(overrides) })),
      close: (code, reason) => ws.close(code, reason),
    };
    void Promise.resolve(script(socket)).catch(() => ws.terminate());
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

import WebSocket from "ws";

/** A hand-driven client socket, for what GatewayClient does not expose (close codes, raw frames). */
export interface RawClient {
  readonly socket: WebSocket;
  readonly frames: Record<string, unknown>[];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Sends a request and resolves with its (first) response. */
  request(id: string, method: string, params?: unknown): Promise<Record<string, unknown>>;
}

/** `connect` params of a test operator with a relay-issued token. */
export function connectParams(token: string): Record<string, unknown> {
  return {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "test", version: "1", platform: "linux", mode: "test" },
    role: "operator",
    scopes: [],
    auth: { token },
  };
}

/** Connects, answers the challenge with `connect` (token auth) and waits for `hello-ok`. */
export async function rawConnect(url: string, token: string, headers: Record<string, string> = {}): Promise<RawClient> {
  const socket = new WebSocket(url, { headers });
  const frames: Record<string, unknown>[] = [];
  const waiters = new Map<string, (frame: Record<string, unknown>) => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on("message", (data) => {
    const frame = JSON.parse(String(data)) as Record<string, unknown>;
    frames.push(frame);
    if (frame["type"] === "res") {
      const waiter = waiters.get(String(frame["id"]));
      waiters.delete(String(frame["id"]));
      waiter?.(frame);
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  const request = (id: string, method: string, params?: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      waiters.set(id, resolve);
      socket.send(JSON.stringify({ type: "req", id, method, ...(params === undefined ? {} : { params }) }));
    });
  const hello = await request("connect-1", "connect", connectParams(token));
  if (hello["ok"] !== true) throw new Error(`connect refused: ${JSON.stringify(hello["error"])}`);
  return { socket, frames, closed, request };
}

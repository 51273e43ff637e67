import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";

/** A WebSocket relay in front of a gateway that records everything the client sent. */
export interface RecordingProxy {
  /** `ws://127.0.0.1:<port>` — give this to the CLI. */
  readonly url: string;
  /** TCP connections accepted (counts even connections that never upgrade). */
  tcpConnections(): number;
  /** Text frames the client sent, in order, across all connections. */
  clientFrames(): string[];
  /** The `connect` requests' params, parsed. */
  connectParams(): Record<string, unknown>[];
  stop(): Promise<void>;
}

/** RFC 6455 reserves 1005/1006 for "no code"; they can not be sent in a close frame. */
function sendableCode(code: number): number {
  return code === 1005 || code === 1006 || code < 1000 ? 1000 : code;
}

/**
 * Starts a recording relay to `targetUrl`. Client→gateway frames are masked on the wire,
 * so a byte-level capture could not be searched for a secret; this relay sees the
 * frames decoded, exactly as the gateway does.
 */
export async function startRecordingProxy(targetUrl: string): Promise<RecordingProxy> {
  const http = createServer();
  let tcp = 0;
  const frames: string[] = [];
  http.on("connection", () => {
    tcp += 1;
  });
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on("connection", (client, request) => {
    const upstream = new WebSocket(new URL(request.url ?? "/", targetUrl), { perMessageDeflate: false });
    const pending: string[] = [];
    client.on("message", (data) => {
      const text = String(data);
      frames.push(text);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
      else pending.push(text);
    });
    upstream.on("open", () => {
      for (const text of pending.splice(0)) upstream.send(text);
    });
    upstream.on("message", (data) => {
      if (client.readyState === WebSocket.OPEN) client.send(String(data));
    });
    upstream.on("close", (code, reason) => {
      if (client.readyState === WebSocket.OPEN) client.close(sendableCode(code), reason);
    });
    upstream.on("error", () => client.terminate());
    client.on("close", (code, reason) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.close(sendableCode(code), reason);
      else upstream.terminate();
    });
    client.on("error", () => upstream.terminate());
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    tcpConnections: () => tcp,
    clientFrames: () => [...frames],
    connectParams: () =>
      frames
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .filter((frame) => frame["method"] === "connect")
        .map((frame) => frame["params"] as Record<string, unknown>),
    stop: async () => {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

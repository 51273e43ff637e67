import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import WebSocket, { WebSocketServer } from "ws";

/** One WebSocket text frame that crossed the tap. */
export interface TappedFrame {
  /** Tap connection number (1, 2, …, in accept order). */
  readonly conn: number;
  /** `in`: client → gateway; `out`: gateway → client. */
  readonly direction: "in" | "out";
  /** `performance.now()` when the tap saw it (ms, same clock as the rest of the process). */
  readonly atMs: number;
  readonly text: string;
}

/** One client connection through the tap. */
export interface TapConnection {
  readonly conn: number;
  /** Request path of the upgrade (`/`, `/gw/gw2`, …). */
  readonly path: string;
  /** `performance.now()` at the upgrade (ms). */
  readonly openedAtMs: number;
}

/** RFC 6455 reserves 1005/1006 (no code / abnormal): they cannot be sent in a close frame. */
function sendableCode(code: number): number {
  return code === 1005 || code === 1006 || code < 1000 ? 1000 : code;
}

/**
 * A recording WebSocket pass-through in front of a gateway: everything its clients send
 * and receive, decoded, with timestamps. The demo reads hop latencies off it and the tests
 * search it for secrets ("GW1's recorded traffic"). It records frames decoded because a
 * byte capture of client frames (masked by RFC 6455) could not be searched.
 *
 * Not a deployment pattern: a headerless forwarder makes every client look local to the
 * gateway (see apps/relay, "the locality trap"). Here everything is on loopback anyway.
 */
export class FrameTap {
  /** `ws://127.0.0.1:<port>`: give this to the gateway's clients. */
  readonly url: string;
  readonly #frames: TappedFrame[];
  readonly #connections: TapConnection[];
  readonly #stop: () => Promise<void>;

  private constructor(url: string, frames: TappedFrame[], connections: TapConnection[], stop: () => Promise<void>) {
    this.url = url;
    this.#frames = frames;
    this.#connections = connections;
    this.#stop = stop;
  }

  /**
   * Starts a tap on a free loopback port forwarding to `targetUrl` (the request path is kept).
   *
   * @param targetUrl - the gateway, `ws://host:port`
   */
  static async start(targetUrl: string): Promise<FrameTap> {
    const frames: TappedFrame[] = [];
    const connections: TapConnection[] = [];
    const http = createServer((_req, res) => {
      res.writeHead(404).end();
    });
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
    let next = 0;
    wss.on("connection", (client, request) => {
      next += 1;
      const conn = next;
      connections.push({ conn, path: request.url ?? "/", openedAtMs: performance.now() });
      const upstream = new WebSocket(new URL(request.url ?? "/", targetUrl), { perMessageDeflate: false });
      const early: string[] = [];
      client.on("message", (data) => {
        const text = String(data);
        frames.push({ conn, direction: "in", atMs: performance.now(), text });
        if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
        else early.push(text);
      });
      upstream.on("open", () => {
        for (const text of early.splice(0)) upstream.send(text);
      });
      upstream.on("message", (data) => {
        const text = String(data);
        frames.push({ conn, direction: "out", atMs: performance.now(), text });
        if (client.readyState === WebSocket.OPEN) client.send(text);
      });
      upstream.on("close", (code, reason) => {
        if (client.readyState === WebSocket.OPEN) client.close(sendableCode(code), reason);
      });
      // The gateway is gone (refused, reset): the client sees its connection drop, as it would.
      upstream.on("error", () => client.terminate());
      client.on("close", (code, reason) => {
        if (upstream.readyState === WebSocket.OPEN) upstream.close(sendableCode(code), reason);
        else upstream.terminate();
      });
      client.on("error", () => upstream.terminate());
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const port = (http.address() as AddressInfo).port;
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopped ??= (async () => {
        for (const socket of wss.clients) socket.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      })();
      return stopped;
    };
    return new FrameTap(`ws://127.0.0.1:${port}`, frames, connections, stop);
  }

  /** Frames so far, in order (a copy). */
  frames(): TappedFrame[] {
    return [...this.#frames];
  }

  /** Connections so far, in accept order (a copy). */
  connections(): TapConnection[] {
    return [...this.#connections];
  }

  /** Every recorded frame's text, one per line (for searching). */
  text(): string {
    return this.#frames.map((frame) => frame.text).join("\n");
  }

  /** Closes every connection and the listener. Idempotent. */
  stop(): Promise<void> {
    return this.#stop();
  }
}

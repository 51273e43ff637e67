import WebSocket from "ws";

/** One inbound WebSocket message as received, with its arrival time. */
export interface InboundFrame {
  /** Position in {@link RawWsClient.frames} (0-based). */
  readonly index: number;
  /** Arrival time, ms since the Unix epoch. */
  readonly receivedAtMs: number;
  /** Arrival time, ms since the socket was created. */
  readonly elapsedMs: number;
  /** The raw message text (binary messages are decoded as UTF-8). */
  readonly text: string;
  /** `true` when the message arrived as a binary frame. */
  readonly binary: boolean;
  /** Parsed JSON, or `undefined` when the text is not valid JSON. */
  readonly json: unknown;
}

/** How the socket closed. */
export interface CloseInfo {
  /** WebSocket close code (1005 = no status sent, 1006 = closed without a close frame). */
  readonly code: number;
  /** Close reason (UTF-8, may be empty). */
  readonly reason: string;
  /** Close time, ms since the socket was created. */
  readonly elapsedMs: number;
}

/** Options of {@link RawWsClient.connect}. */
export interface RawConnectOptions {
  /** Extra HTTP headers on the upgrade request, e.g. a non-local `Host` or an `Origin`. */
  readonly headers?: Record<string, string>;
  /** Give up opening after this many ms (default 10 000). */
  readonly openTimeoutMs?: number;
  /** Largest inbound message accepted, in bytes (default 64 MiB, above the gateway's 25 MiB policy). */
  readonly maxPayloadBytes?: number;
}

/** A predicate over inbound frames. */
export type FramePredicate = (frame: InboundFrame) => boolean;

/**
 * A deliberately dumb WebSocket client for wire-parity checks: it never interprets the
 * protocol, records every inbound message with timestamps, sends whatever text it is given
 * (including invalid JSON) and reports the exact close code and reason. Works against any
 * gateway (real OpenClaw or clawbridge's mock).
 */
export class RawWsClient {
  /** Every inbound message, in arrival order. */
  readonly frames: InboundFrame[] = [];
  /** Every outbound message text, in send order. */
  readonly sent: string[] = [];
  private readonly socket: WebSocket;
  private readonly startedAt: number;
  private closeInfo: CloseInfo | undefined;
  private readonly listeners = new Set<() => void>();

  private constructor(socket: WebSocket, startedAt: number) {
    this.socket = socket;
    this.startedAt = startedAt;
    socket.on("message", (data, isBinary) => {
      const text = Buffer.isBuffer(data)
        ? data.toString("utf8")
        : Array.isArray(data)
          ? Buffer.concat(data).toString("utf8")
          : Buffer.from(data).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        json = undefined;
      }
      const now = Date.now();
      this.frames.push({
        index: this.frames.length,
        receivedAtMs: now,
        elapsedMs: now - this.startedAt,
        text,
        binary: isBinary,
        json,
      });
      this.notify();
    });
    socket.on("close", (code, reason) => {
      this.closeInfo = { code, reason: reason.toString("utf8"), elapsedMs: Date.now() - this.startedAt };
      this.notify();
    });
    // Errors after open are followed by "close"; before open they reject connect().
    socket.on("error", () => undefined);
  }

  /**
   * Opens a WebSocket to `url` and starts recording inbound frames immediately (so a
   * challenge sent on open is never missed). Rejects if the upgrade fails or takes longer
   * than `openTimeoutMs` (default 10 000 ms).
   */
  static connect(url: string, options: RawConnectOptions = {}): Promise<RawWsClient> {
    const startedAt = Date.now();
    const socket = new WebSocket(url, {
      headers: options.headers ?? {},
      perMessageDeflate: false,
      maxPayload: options.maxPayloadBytes ?? 64 * 1024 * 1024,
      handshakeTimeout: options.openTimeoutMs ?? 10_000,
    });
    const client = new RawWsClient(socket, startedAt);
    return new Promise((resolve, reject) => {
      const onOpen = (): void => {
        socket.off("unexpected-response", onUnexpected);
        resolve(client);
      };
      const onUnexpected = (_req: unknown, res: { statusCode?: number }): void => {
        socket.off("open", onOpen);
        reject(new Error(`upgrade to ${url} rejected with HTTP ${res.statusCode ?? "?"}`));
        socket.terminate();
      };
      socket.once("open", onOpen);
      socket.once("unexpected-response", onUnexpected);
      socket.once("error", (error) => {
        socket.off("open", onOpen);
        reject(error);
      });
    });
  }

  /** The close code/reason once the socket has closed, else `undefined`. */
  get closed(): CloseInfo | undefined {
    return this.closeInfo;
  }

  /** Sends `text` verbatim as one text frame (no validation). */
  send(text: string): void {
    this.sent.push(text);
    this.socket.send(text);
  }

  /** Sends `JSON.stringify(value)` as one text frame. */
  sendJson(value: unknown): void {
    this.send(JSON.stringify(value));
  }

  /**
   * Resolves with the first frame at index >= `fromIndex` (default 0) matching `predicate`,
   * including frames already received. Rejects after `timeoutMs` (default 10 000) or when the
   * socket closes first (the error names the close code and reason).
   */
  waitFor(predicate: FramePredicate, options: { timeoutMs?: number; fromIndex?: number } = {}): Promise<InboundFrame> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const fromIndex = options.fromIndex ?? 0;
    return new Promise((resolve, reject) => {
      let scanned = fromIndex;
      const check = (): boolean => {
        for (; scanned < this.frames.length; scanned += 1) {
          const frame = this.frames[scanned];
          if (frame !== undefined && predicate(frame)) {
            cleanup();
            resolve(frame);
            return true;
          }
        }
        if (this.closeInfo !== undefined) {
          cleanup();
          reject(new Error(`socket closed (${this.closeInfo.code} ${JSON.stringify(this.closeInfo.reason)}) before a matching frame arrived`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching frame within ${timeoutMs} ms (${this.frames.length} frames received)`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = (): void => {
        check();
      };
      if (check()) return;
      this.listeners.add(listener);
    });
  }

  /** Resolves with the response frame (`type:"res"`) carrying `id`. Same timeout/close rules as {@link waitFor}. */
  waitForResponse(id: string, options: { timeoutMs?: number; fromIndex?: number } = {}): Promise<InboundFrame> {
    return this.waitFor((frame) => isObject(frame.json) && frame.json["type"] === "res" && frame.json["id"] === id, options);
  }

  /** Resolves with the first event frame named `event`. Same timeout/close rules as {@link waitFor}. */
  waitForEvent(event: string, options: { timeoutMs?: number; fromIndex?: number } = {}): Promise<InboundFrame> {
    return this.waitFor((frame) => isObject(frame.json) && frame.json["type"] === "event" && frame.json["event"] === event, options);
  }

  /** Resolves with the close info once the peer (or we) closed; rejects after `timeoutMs` (default 10 000). */
  waitForClose(timeoutMs = 10_000): Promise<CloseInfo> {
    return new Promise((resolve, reject) => {
      if (this.closeInfo !== undefined) {
        resolve(this.closeInfo);
        return;
      }
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`socket still open after ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (): void => {
        if (this.closeInfo === undefined) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(this.closeInfo);
      };
      this.listeners.add(listener);
    });
  }

  /**
   * Starts a clean close (default code 1000) and waits for it to finish; terminates the
   * socket if the peer has not completed the close within `timeoutMs` (default 2 000).
   */
  async close(code = 1000, reason = "", timeoutMs = 2_000): Promise<CloseInfo> {
    if (this.closeInfo !== undefined) return this.closeInfo;
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) {
      this.socket.close(code, reason);
    }
    try {
      return await this.waitForClose(timeoutMs);
    } catch {
      this.socket.terminate();
      return this.waitForClose(timeoutMs);
    }
  }

  /** Drops the TCP connection without a close frame. */
  terminate(): void {
    this.socket.terminate();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** `true` for a non-null, non-array object (a JSON object after parsing). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

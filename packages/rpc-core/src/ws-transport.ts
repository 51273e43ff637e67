import type { IncomingMessage } from "node:http";
import { MAX_PAYLOAD_BYTES, truncateCloseReason } from "@clawbridge/protocol";
import WebSocket from "ws";
import type { ClientOptions, RawData } from "ws";
import { BaseTransport } from "./base-transport.js";
import { ConnectError, ConnectionClosedError } from "./errors.js";

/** Closed abnormally (no close frame); also what we report for a socket that never opened. */
const ABNORMAL = 1006;

/**
 * Close code `ws` *sent* when its receiver rejected an inbound frame. `ws` stops reading
 * after such an error, so its own close event says 1006; the code it sent is the truth.
 */
const RECEIVER_ERROR_CLOSE_CODES: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 1009,
  WS_ERR_TOO_MANY_BUFFERED_PARTS: 1008,
  WS_ERR_INVALID_UTF8: 1007,
};

function receiverCloseCode(error: Error | undefined): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string" || !code.startsWith("WS_ERR_")) return undefined;
  return RECEIVER_ERROR_CLOSE_CODES[code] ?? 1002;
}

function rawDataToText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}

/**
 * {@link Transport} over a `ws` WebSocket — a client socket from
 * {@link connectWebSocket} or a server-side socket from `WebSocketServer`'s
 * `connection` event. Text frames in and out; a binary frame is delivered as its UTF-8
 * text (the gateway only speaks text); the close code and reason are passed through
 * (`ws` reports 1005 when none was given, 1006 when the link dropped; when this side
 * rejected an inbound frame — e.g. over `maxPayload` — the code it sent, such as 1009).
 * Socket `error` events are absorbed (they are always followed by `close`); the last
 * one is kept in {@link lastError} for diagnostics.
 */
export class WebSocketTransport extends BaseTransport {
  /** The wrapped socket, for knobs outside the seam (ping, terminate, protocol, …). */
  readonly socket: WebSocket;
  #lastError: Error | undefined;

  /** @param socket - an OPEN socket (a CLOSED one yields a closed transport that reports 1006) */
  constructor(socket: WebSocket) {
    super();
    this.socket = socket;
    socket.on("message", (data: RawData) => {
      this.deliver(rawDataToText(data));
    });
    socket.on("close", (code: number, reason: Buffer) => {
      const sent = code === ABNORMAL ? receiverCloseCode(this.#lastError) : undefined;
      this.finish({ code: sent ?? code, reason: reason.toString("utf8") });
    });
    socket.on("error", (error: Error) => {
      this.#lastError = error;
    });
    if (socket.readyState === WebSocket.CLOSED) this.finish({ code: ABNORMAL, reason: "" });
  }

  /** The last `error` event of the socket (e.g. `ECONNRESET`, invalid frame), if any. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Bytes queued in the socket and not yet written to the network (`ws.bufferedAmount`). */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  send(text: string): void {
    if (this.socket.readyState !== WebSocket.OPEN) {
      const info = this.closeInfo;
      throw new ConnectionClosedError(info?.code ?? ABNORMAL, info?.reason ?? "");
    }
    this.socket.send(text);
  }

  /**
   * Starts the closing handshake (idempotent; `isOpen` turns false at once).
   *
   * @param code - 1000, 1001-1003, 1007-1014 or 3000-4999; omitted = no status (peer sees 1005)
   * @param reason - truncated to 123 bytes of UTF-8 (RFC 6455 limit); default ""
   */
  close(code?: number, reason = ""): void {
    const state = this.socket.readyState;
    if (state === WebSocket.CLOSING || state === WebSocket.CLOSED) return;
    if (code === undefined) this.socket.close();
    else this.socket.close(code, truncateCloseReason(reason));
  }
}

/**
 * Options of {@link connectWebSocket}: every `ws` client option unchanged (`maxPayload`,
 * `handshakeTimeout`, `headers`, `agent`, TLS `ca`/`cert`/`key`/`rejectUnauthorized`/
 * `checkServerIdentity`/`servername`, `perMessageDeflate`, `followRedirects`, …) plus
 * subprotocols and an abort signal. Defaults that differ from `ws`: `perMessageDeflate`
 * false (the gateway never accepts it), `maxPayload` {@link MAX_PAYLOAD_BYTES}
 * (26214400 bytes, as OpenClaw's reference client).
 */
export interface ConnectWebSocketOptions extends ClientOptions {
  /** `Sec-WebSocket-Protocol` values to offer. Default: none. */
  protocols?: string | string[] | undefined;
  /** Aborts the opening handshake; rejects with `ConnectError` code `ABORTED`. */
  signal?: AbortSignal | undefined;
}

// ws gives its handshake timeout no error code; its message is the only discriminator.
const WS_HANDSHAKE_TIMEOUT_MESSAGE = /handshake has timed out/i;

function connectErrorFrom(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.length > 0) return new ConnectError(code, { cause: error });
  if (error instanceof SyntaxError) return new ConnectError("INVALID_URL", { cause: error });
  if (error instanceof Error && WS_HANDSHAKE_TIMEOUT_MESSAGE.test(error.message)) {
    return new ConnectError("HANDSHAKE_TIMEOUT", { cause: error });
  }
  return new ConnectError("UNKNOWN", { cause: error });
}

/**
 * Opens a WebSocket and resolves with its {@link WebSocketTransport} once open.
 * Rejects with {@link ConnectError}: the system/TLS code (`ECONNREFUSED`, `ENOTFOUND`,
 * `ECONNRESET`, `DEPTH_ZERO_SELF_SIGNED_CERT`, …), `UPGRADE_REJECTED` with `httpStatus`
 * (and `location`) when the server answers the upgrade with another HTTP status,
 * `HANDSHAKE_TIMEOUT` after `handshakeTimeout` ms, `INVALID_URL`, `ABORTED`.
 *
 * @param url - `ws://` or `wss://` URL
 * @param options - `ws` client options (see {@link ConnectWebSocketOptions})
 */
export function connectWebSocket(url: string | URL, options: ConnectWebSocketOptions = {}): Promise<WebSocketTransport> {
  const { protocols, signal, ...wsOptions } = options;
  if (signal?.aborted) return Promise.reject(new ConnectError("ABORTED", { cause: signal.reason }));
  return new Promise<WebSocketTransport>((resolve, reject) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, protocols, {
        perMessageDeflate: false,
        maxPayload: MAX_PAYLOAD_BYTES,
        ...wsOptions,
      });
    } catch (error) {
      reject(connectErrorFrom(error));
      return;
    }
    let settled = false;
    const settle = (outcome: WebSocketTransport | ConnectError): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      socket.off("open", onOpen);
      socket.off("error", onError);
      socket.off("close", onClose);
      socket.off("unexpected-response", onUnexpectedResponse);
      if (outcome instanceof ConnectError) reject(outcome);
      else resolve(outcome);
    };
    const onOpen = (): void => settle(new WebSocketTransport(socket));
    const onError = (error: Error): void => settle(connectErrorFrom(error));
    const onClose = (): void => settle(new ConnectError("CLOSED_BEFORE_OPEN"));
    const onUnexpectedResponse = (request: { destroy(): void }, response: IncomingMessage): void => {
      const location = response.headers.location;
      settle(
        new ConnectError("UPGRADE_REJECTED", {
          httpStatus: response.statusCode,
          location: typeof location === "string" ? location : undefined,
        }),
      );
      // With a listener attached, ws leaves the request to us: drain and drop it.
      response.resume();
      request.destroy();
    };
    const onAbort = (): void => {
      settle(new ConnectError("ABORTED", { cause: signal?.reason }));
      socket.terminate();
    };
    socket.on("open", onOpen);
    socket.on("error", onError);
    socket.on("close", onClose);
    socket.on("unexpected-response", onUnexpectedResponse);
    // Errors after settling (e.g. from the destroyed upgrade request) must not go unhandled.
    socket.on("error", () => undefined);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

import { CloseCodes } from "@clawbridge/protocol";
import type { ConnectParams, StateVersion } from "@clawbridge/protocol";
import { ConnectionClosedError } from "@clawbridge/rpc-core";
import type { Peer, TransportCloseInfo } from "@clawbridge/rpc-core";
import type { AuthMethod } from "./authenticator.js";
import type { SocketInfo } from "./socket-info.js";

/** Options of {@link ServerConnection.sendEvent}. */
export interface ConnectionEventOptions {
  /** Stamp the connection's next `seq` (broadcast events). Default false (direct events, e.g. to nodes). */
  readonly seq?: boolean | undefined;
  readonly stateVersion?: StateVersion | undefined;
  /** Drop (still consuming a `seq`) instead of closing when the socket is over its buffer limit. */
  readonly dropIfSlow?: boolean | undefined;
}

/** What {@link ServerConnection} needs from its server. */
export interface ServerConnectionInit {
  readonly connId: string;
  readonly role: "operator" | "node";
  readonly scopes: readonly string[];
  readonly authMethod: AuthMethod;
  readonly deviceId: string | undefined;
  readonly connect: ConnectParams;
  readonly socket: SocketInfo;
  readonly maxBufferedBytes: number;
}

/**
 * One authenticated socket (after `hello-ok`): its principal, the client's connect
 * params, and the {@link Peer} that serves its requests. This is the per-connection
 * context handed to router handlers (`ctx`).
 */
export class ServerConnection {
  /** uuid, as in `hello-ok.server.connId`. */
  readonly connId: string;
  readonly role: "operator" | "node";
  /** Effective scopes enforced on this socket. */
  readonly scopes: readonly string[];
  readonly authMethod: AuthMethod;
  /** Verified device id, if the client proved one. */
  readonly deviceId: string | undefined;
  /** The validated `connect` params (role normalised). */
  readonly connect: ConnectParams;
  readonly socket: SocketInfo;
  /** ms since the epoch. */
  readonly connectedAtMs = Date.now();
  /** Free-form per-connection state for handlers (e.g. a mock's bookkeeping). */
  readonly state = new Map<string, unknown>();
  /** Consecutive `unauthorized role:` answers (flood guard). */
  unauthorizedStreak = 0;
  /** When true the next write closes the socket as a slow consumer (fault injection). */
  forceSlowConsumer = false;
  readonly #maxBufferedBytes: number;
  #peer: Peer<ServerConnection> | undefined;

  constructor(init: ServerConnectionInit) {
    this.connId = init.connId;
    this.role = init.role;
    this.scopes = init.scopes;
    this.authMethod = init.authMethod;
    this.deviceId = init.deviceId;
    this.connect = init.connect;
    this.socket = init.socket;
    this.#maxBufferedBytes = init.maxBufferedBytes;
  }

  /** The peer serving this connection. */
  get peer(): Peer<ServerConnection> {
    if (this.#peer === undefined) throw new Error("connection has no peer yet");
    return this.#peer;
  }

  /** @internal set once by the server right after construction. */
  attachPeer(peer: Peer<ServerConnection>): void {
    this.#peer = peer;
  }

  get isOpen(): boolean {
    return this.#peer?.isOpen ?? false;
  }

  /** Outbound buffer limit of this socket (bytes). */
  get maxBufferedBytes(): number {
    return this.#maxBufferedBytes;
  }

  /** True when the socket buffers more than it may (or a test forced it). */
  isSlow(): boolean {
    return this.forceSlowConsumer || this.peer.bufferedAmount > this.#maxBufferedBytes;
  }

  /**
   * Sends one event. Returns false when it was not written (closed, or dropped with
   * `dropIfSlow`); a slow consumer without `dropIfSlow` is closed 1008 `slow consumer`.
   */
  sendEvent(event: string, payload?: unknown, options: ConnectionEventOptions = {}): boolean {
    if (!this.isOpen) return false;
    try {
      const result = this.peer.sendEvent(event, payload, {
        seq: options.seq === true,
        stateVersion: options.stateVersion,
        // A forced slow consumer drops everything; otherwise the real buffer decides.
        dropIfBufferedAbove: options.dropIfSlow === true ? (this.forceSlowConsumer ? -1 : this.#maxBufferedBytes) : undefined,
      });
      return result.sent;
    } catch (error) {
      if (error instanceof ConnectionClosedError) return false;
      throw error;
    }
  }

  /** Closes the socket (idempotent). Default 1000 with an empty reason. */
  close(code: number = CloseCodes.NORMAL, reason = ""): void {
    this.#peer?.close(code, reason);
  }

  /** Subscribes to the close of this connection. */
  onClose(listener: (info: TransportCloseInfo) => void): () => void {
    return this.peer.onClose(listener);
  }
}

import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import {
  CloseCodes,
  ConnectErrorDetailCodes,
  ConnectParams,
  ErrorCodes,
  MIN_PROBE_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  RequestFrame,
  isProtocolAccepted,
  truncateCloseReason,
} from "@clawbridge/protocol";
import type { ErrorShape, HelloOk } from "@clawbridge/protocol";
import type { z } from "zod";
import { ConnectionClosedError, Peer, formatValidationIssues } from "@clawbridge/rpc-core";
import type { WebSocketTransport } from "@clawbridge/rpc-core";
import type { AuthOutcome } from "./authenticator.js";
import { GatedTransport } from "./gated-transport.js";
import type { IngressAttribution } from "./ingress-attribution.js";
import { setReceiverPayloadLimit } from "./receiver-payload-limit.js";
import type { ServerRuntime } from "./server-runtime.js";
import { ServerConnection } from "./server-connection.js";
import { describeSocket } from "./socket-info.js";
import type { SocketInfo } from "./socket-info.js";

type Phase = "awaiting-connect" | "processing" | "open" | "closed";

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A `role:"worker"` / `openclaw-worker` / `mode:"worker"` claim belongs on the worker socket only. */
function claimsWorkerIdentity(params: unknown): boolean {
  if (!isRecord(params)) return false;
  const client = isRecord(params["client"]) ? params["client"] : {};
  return params["role"] === "worker" || client["id"] === "openclaw-worker" || client["mode"] === "worker";
}

/**
 * One socket from upgrade to close: the challenge, the pre-auth rules (64 KiB frames,
 * 15 queued frames, deadline), connect validation, admission, authentication and
 * `hello-ok`; then hands the socket to a {@link Peer} serving the router.
 */
export class SocketSession {
  readonly #runtime: ServerRuntime;
  readonly #inner: WebSocketTransport;
  readonly #info: SocketInfo;
  #phase: Phase = "awaiting-connect";
  readonly #queue: string[] = [];
  #gated: GatedTransport | undefined;
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  #keepaliveTimer: ReturnType<typeof setInterval> | undefined;

  constructor(runtime: ServerRuntime, inner: WebSocketTransport, request: IncomingMessage, attribution?: IngressAttribution) {
    this.#runtime = runtime;
    this.#inner = inner;
    this.#info = describeSocket(request, randomUUID(), attribution);
    // Until hello, `ws` itself refuses frames over the pre-auth limit (1009, empty reason).
    setReceiverPayloadLimit(inner.socket, runtime.options.maxPreauthPayloadBytes);
    inner.onMessage((text) => this.#onMessage(text));
    inner.onClose(() => this.#onClosed());
    // The challenge goes out before anything is read, without seq.
    this.#sendRaw({
      type: "event",
      event: "connect.challenge",
      payload: { nonce: this.#info.nonce, ts: Date.now(), capabilities: [...runtime.options.challengeCapabilities] },
    });
    this.#handshakeTimer = setTimeout(() => {
      // OpenClaw's handshake timeout is a default close: 1000, empty reason.
      if (this.#phase === "awaiting-connect" || this.#phase === "processing") this.close(CloseCodes.NORMAL, "");
    }, runtime.options.handshakeTimeoutMs);
  }

  /** The socket facts given to the authenticator. */
  get info(): SocketInfo {
    return this.#info;
  }

  /** Closes the socket (idempotent). */
  close(code: number, reason: string): void {
    this.#inner.close(code, truncateCloseReason(reason));
  }

  /** Ends the socket without a close frame. */
  terminate(): void {
    this.#inner.socket.terminate();
  }

  /** True until the socket has closed. */
  get isOpen(): boolean {
    return this.#phase !== "closed";
  }

  #sendRaw(frame: object): void {
    try {
      this.#inner.send(JSON.stringify(frame));
    } catch {
      // The socket went away; its close handler cleans up.
    }
  }

  #reply(id: string, error: ErrorShape): void {
    this.#sendRaw({ type: "res", id, ok: false, error });
  }

  /** Answers, then closes once the answer is queued ahead of the close frame. */
  #replyAndClose(id: string, error: ErrorShape, code: number, reason: string): void {
    this.#phase = "closed";
    this.#reply(id, error);
    queueMicrotask(() => this.close(code, reason));
  }

  #onMessage(text: string): void {
    switch (this.#phase) {
      case "open":
        this.#gated?.push(text);
        return;
      case "closed":
        return;
      default:
        break;
    }
    if (utf8Bytes(text) > this.#runtime.options.maxPreauthPayloadBytes) {
      // Only reached when the ws receiver limit could not be lowered; same close as ws's own.
      this.#phase = "closed";
      this.close(CloseCodes.MESSAGE_TOO_BIG, "");
      return;
    }
    if (this.#phase === "processing") {
      if (this.#queue.length >= this.#runtime.options.maxPendingHandshakeFrames) {
        this.#phase = "closed";
        this.#queue.length = 0;
        this.close(CloseCodes.POLICY_VIOLATION, "too many pending handshake frames");
        return;
      }
      this.#queue.push(text);
      return;
    }
    this.#phase = "processing";
    void this.#handleConnect(text).catch(() => {
      // An authenticator that throws is a server fault: refuse the socket, keep the process.
      if (this.#phase === "processing") {
        this.#phase = "closed";
        this.close(CloseCodes.NORMAL, "");
      }
    });
  }

  async #handleConnect(text: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // OpenClaw drops an unparsable pre-hello frame with a default close (1000, no reason).
      this.#phase = "closed";
      this.close(CloseCodes.NORMAL, "");
      return;
    }
    if (isRecord(parsed) && "params" in parsed && claimsWorkerIdentity(parsed["params"])) {
      this.#phase = "closed";
      this.close(CloseCodes.POLICY_VIOLATION, "invalid-handshake");
      return;
    }
    const frame = RequestFrame.safeParse(parsed);
    if (!frame.success) {
      this.#phase = "closed";
      this.close(CloseCodes.POLICY_VIOLATION, "invalid request frame");
      return;
    }
    const { id, method } = frame.data;
    if (method !== "connect") {
      const message = "invalid handshake: first request must be connect";
      this.#replyAndClose(id, { code: ErrorCodes.INVALID_REQUEST, message }, CloseCodes.POLICY_VIOLATION, message);
      return;
    }
    const rawParams = frame.data.params;
    const params = ConnectParams.safeParse(rawParams);
    if (!params.success) {
      const message = `invalid connect params: ${formatValidationIssues(ajvStyleIssues(params.error.issues), rawParams)}`;
      this.#replyAndClose(id, { code: ErrorCodes.INVALID_REQUEST, message }, CloseCodes.POLICY_VIOLATION, message);
      return;
    }
    const connect = params.data;
    if (
      !isProtocolAccepted({
        minProtocol: connect.minProtocol,
        maxProtocol: connect.maxProtocol,
        role: connect.role,
        mode: connect.client.mode,
      })
    ) {
      this.#replyAndClose(
        id,
        {
          code: ErrorCodes.INVALID_REQUEST,
          message: "protocol mismatch",
          details: {
            code: ConnectErrorDetailCodes.PROTOCOL_MISMATCH,
            clientMinProtocol: connect.minProtocol,
            clientMaxProtocol: connect.maxProtocol,
            expectedProtocol: PROTOCOL_VERSION,
            minimumProbeProtocol: MIN_PROBE_PROTOCOL_VERSION,
          },
        },
        CloseCodes.PROTOCOL_ERROR,
        "protocol mismatch",
      );
      return;
    }
    const role = connect.role ?? "operator";
    if (role !== "operator" && role !== "node") {
      this.#replyAndClose(id, { code: ErrorCodes.INVALID_REQUEST, message: "invalid role" }, CloseCodes.POLICY_VIOLATION, "invalid role");
      return;
    }
    const normalized: ConnectParams = { ...connect, role, scopes: connect.scopes ?? [] };
    const outcome: AuthOutcome = await this.#runtime.options.authenticate(normalized, this.#info);
    if (this.#phase !== "processing" || !this.#inner.isOpen) return;
    if (!outcome.ok) {
      this.#replyAndClose(id, outcome.error, outcome.closeCode, outcome.closeReason);
      return;
    }
    this.#open(id, normalized, outcome);
  }

  #open(id: string, connect: ConnectParams, outcome: AuthOutcome & { ok: true }): void {
    const runtime = this.#runtime;
    const connection = new ServerConnection({
      connId: randomUUID(),
      role: outcome.role,
      scopes: [...outcome.scopes],
      authMethod: outcome.method,
      deviceId: outcome.deviceId,
      connect,
      socket: this.#info,
      maxBufferedBytes: runtime.options.maxBufferedBytes,
    });
    const gated = new GatedTransport(this.#inner, () => {
      if (connection.isSlow()) {
        connection.close(CloseCodes.POLICY_VIOLATION, "slow consumer");
        throw new ConnectionClosedError(CloseCodes.POLICY_VIOLATION, "slow consumer");
      }
    });
    const peer = new Peer<ServerConnection>(gated, {
      router: runtime.router,
      context: connection,
      maxInboundBytes: runtime.options.maxPayloadBytes,
      // Bad post-hello frames are answered by the server itself (see below), as OpenClaw does.
      answerInvalidFrames: false,
      requestTimeoutMs: null,
      onListenerError: () => undefined,
    });
    connection.attachPeer(peer);
    this.#gated = gated;
    peer.onProtocolError((error) => {
      // OpenClaw logs and ignores unparsable JSON after hello; other bad frames get an answer.
      if (error.violation === "malformed-json") return;
      this.#answerInvalidFrame(error.frameId, error.detail);
    });
    peer.onEvent((frame) => this.#answerInvalidFrame(undefined, frameAsRequestIssues(frame)));
    peer.onUnknownResponse((frame) => this.#answerInvalidFrame(frame.id, frameAsRequestIssues(frame)));

    const hello: HelloOk = {
      type: "hello-ok",
      protocol: PROTOCOL_VERSION,
      server: { version: runtime.options.version, ...runtime.options.serverInfo, connId: connection.connId },
      features: runtime.features(connection),
      snapshot: runtime.snapshot(connection),
      auth: {
        method: outcome.method,
        role: outcome.role,
        scopes: [...outcome.scopes],
        ...(outcome.issuedDeviceToken === undefined
          ? {}
          : { deviceToken: outcome.issuedDeviceToken.token, issuedAtMs: outcome.issuedDeviceToken.issuedAtMs }),
        ...(outcome.recoveryScope === undefined ? {} : { recoveryScope: outcome.recoveryScope }),
      },
      policy: {
        ...runtime.options.policyExtras,
        maxPayload: runtime.options.maxPayloadBytes,
        maxBufferedBytes: runtime.options.maxBufferedBytes,
        tickIntervalMs: runtime.options.tickIntervalMs,
      },
    };
    clearTimeout(this.#handshakeTimer);
    setReceiverPayloadLimit(this.#inner.socket, runtime.options.maxPayloadBytes);
    this.#sendRaw({ type: "res", id, ok: true, payload: hello });
    this.#phase = "open";
    runtime.register(connection);
    this.#startKeepalive();
    // Frames that arrived while connect was processed are served in arrival order.
    for (const text of this.#queue.splice(0)) gated.push(text);
  }

  #answerInvalidFrame(frameId: string | undefined, detail: string): void {
    if (this.#phase !== "open") return;
    try {
      this.#gated?.send(
        JSON.stringify({
          type: "res",
          id: frameId ?? "invalid",
          ok: false,
          error: { code: ErrorCodes.INVALID_REQUEST, message: `invalid request frame: ${detail}` },
        }),
      );
    } catch {
      // Closed (or closing as a slow consumer): nothing to answer.
    }
  }

  #startKeepalive(): void {
    const interval = this.#runtime.options.keepaliveIntervalMs;
    if (interval <= 0) return;
    const socket = this.#inner.socket;
    let awaitingPong = false;
    socket.on("pong", () => {
      awaitingPong = false;
    });
    this.#keepaliveTimer = setInterval(() => {
      // No pong since the last ping: the link is dead; drop it without a close frame.
      if (awaitingPong) {
        socket.terminate();
        return;
      }
      awaitingPong = true;
      try {
        socket.ping();
      } catch {
        // Closing; the close handler stops the timer.
      }
    }, interval);
    this.#keepaliveTimer.unref();
  }

  #onClosed(): void {
    this.#phase = "closed";
    clearTimeout(this.#handshakeTimer);
    if (this.#keepaliveTimer !== undefined) clearInterval(this.#keepaliveTimer);
    this.#runtime.forget(this);
  }
}

/** Why a (valid) event or response frame is not a request, in validation-message words. */
function frameAsRequestIssues(frame: unknown): string {
  const result = RequestFrame.safeParse(frame);
  return result.success ? "unexpected frame" : formatValidationIssues(result.error.issues, frame);
}

/**
 * ajv words enum failures without listing the values (`must be equal to one of the
 * allowed values`, observed from 2026.9.6); zod issues are reworded to match.
 */
function ajvStyleIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.map((issue) =>
    issue.code === "invalid_value" && issue.values.length > 1
      ? { code: "custom", path: issue.path, message: "must be equal to one of the allowed values", input: issue.input }
      : issue,
  );
}

import { CloseCodes, GatewayEvents, HelloOk } from "@clawbridge/protocol";
import type { ConnectParams, ErrorShape } from "@clawbridge/protocol";
import {
  ConnectError,
  ConnectionClosedError,
  formatValidationIssues,
  isGatewayRequestError,
  Peer,
  RequestTimeoutError,
  connectWebSocket,
} from "@clawbridge/rpc-core";
import type { ConnectWebSocketOptions, Transport, WebSocketTransport } from "@clawbridge/rpc-core";
import {
  ConnectRejectedError,
  HandshakeProtocolError,
  HandshakeTimeoutError,
  PairingRequiredError,
  TlsFingerprintError,
} from "./errors.js";

/** What the client learned from `connect.challenge`. */
export interface ChallengeInfo {
  /** The nonce to sign (trimmed). */
  readonly nonce: string;
  /** Server time (ms), when it was a safe non-negative integer. */
  readonly ts: number | undefined;
  /** Server-offered capabilities (e.g. `model-catalog-snapshot`). */
  readonly capabilities: readonly string[];
}

/** Inputs of {@link performHandshake}. */
export interface HandshakeInput {
  readonly url: URL;
  /** `ws` options (TLS, agent, headers, maxPayload, handshakeTimeout, finishRequest). */
  readonly wsOptions: ConnectWebSocketOptions;
  /** Wait for `connect.challenge` (ms). */
  readonly challengeTimeoutMs: number;
  /** Wait for `hello-ok` after sending `connect` (ms). */
  readonly helloTimeoutMs: number;
  /** Largest inbound frame (bytes). */
  readonly maxInboundBytes: number;
  /** Builds (and signs) the connect params from the challenge; may throw to abort. */
  readonly buildParams: (challenge: ChallengeInfo) => ConnectParams;
  /** Called with the new peer before any frame is read, so no event after hello is missed. */
  readonly attach: (peer: Peer, transport: WebSocketTransport) => void;
  /** Device id in use, for {@link PairingRequiredError}. */
  readonly deviceId: string | undefined;
  /** Aborts the attempt (the socket is terminated). */
  readonly signal: AbortSignal;
}

/** An established connection. */
export interface Handshake {
  readonly transport: WebSocketTransport;
  readonly peer: Peer;
  readonly hello: HelloOk;
  readonly challenge: ChallengeInfo;
}

/** Grace (ms) between a close frame and `terminate()`, as OpenClaw's `FORCE_STOP_TERMINATE_GRACE_MS`. */
export const TERMINATE_GRACE_MS = 250;

/**
 * Closes `peer` with `code`/`reason` and terminates the socket if the closing handshake
 * has not finished after {@link TERMINATE_GRACE_MS}: a stalled or hostile server must not
 * keep a socket (and the process) alive for `ws`'s 30 s close timeout.
 */
export function closeWithGrace(peer: Peer, transport: Transport, code: number, reason: string): Promise<void> {
  peer.close(code, reason);
  const socket = (transport as Partial<WebSocketTransport>).socket;
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      socket?.terminate();
      finish();
    }, TERMINATE_GRACE_MS);
    timer.unref();
    transport.onClose(finish);
  });
}

function parseChallenge(payload: unknown): ChallengeInfo | undefined {
  if (payload === null || typeof payload !== "object") return undefined;
  const record = payload as Record<string, unknown>;
  const nonce = typeof record["nonce"] === "string" ? record["nonce"].trim() : "";
  if (nonce.length === 0) return undefined;
  const ts = record["ts"];
  const capabilities = Array.isArray(record["capabilities"])
    ? record["capabilities"].filter((item): item is string => typeof item === "string")
    : [];
  return {
    nonce,
    ts: typeof ts === "number" && Number.isSafeInteger(ts) && ts >= 0 ? ts : undefined,
    capabilities,
  };
}

/** Maps a failed `connect` answer to the client's error classes. */
export function connectRejection(error: { toErrorShape(): ErrorShape }, deviceId: string | undefined): ConnectRejectedError {
  const shape = error.toErrorShape();
  const details = shape.details as { code?: unknown } | undefined;
  if (shape.code === "NOT_PAIRED" && (details?.code === "PAIRING_REQUIRED" || details?.code === undefined)) {
    return new PairingRequiredError(shape, deviceId);
  }
  if (details?.code === "PAIRING_REQUIRED") return new PairingRequiredError(shape, deviceId);
  return new ConnectRejectedError(shape);
}

/**
 * One connection attempt, OpenClaw's `require-challenge` state machine: open the
 * socket, wait for `connect.challenge` (timeout → close 1008 `connect challenge
 * timeout`; empty nonce → close 1008 `connect challenge missing nonce`), send `connect`
 * (timeout → close 4000 `connect timeout`), validate `hello-ok` with the protocol's
 * `HelloOk` schema. A rejected connect becomes {@link ConnectRejectedError} /
 * {@link PairingRequiredError} and the socket is closed 1008 `connect failed`.
 */
export async function performHandshake(input: HandshakeInput): Promise<Handshake> {
  let transport: WebSocketTransport;
  try {
    transport = await connectWebSocket(input.url, { ...input.wsOptions, signal: input.signal });
  } catch (error) {
    // The pin check destroys the upgrade request with our own error; surface it unwrapped.
    if (error instanceof ConnectError && error.cause instanceof TlsFingerprintError) throw error.cause;
    throw error;
  }
  const peer = new Peer(transport, {
    frameValidation: "tolerant",
    maxInboundBytes: input.maxInboundBytes,
    requestTimeoutMs: null,
  });
  input.attach(peer, transport);

  const abortError = (): Error => new ConnectError("ABORTED", { cause: input.signal.reason });
  const onAbort = (): void => {
    peer.close(CloseCodes.NORMAL, "connect aborted");
    transport.socket.terminate();
  };
  if (input.signal.aborted) {
    onAbort();
    throw abortError();
  }
  input.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const challenge = await waitForChallenge(peer, transport, input);
    if (input.signal.aborted) throw abortError();
    let params: ConnectParams;
    try {
      params = input.buildParams(challenge);
    } catch (error) {
      void closeWithGrace(peer, transport, CloseCodes.POLICY_VIOLATION, "connect failed");
      throw error;
    }
    let payload: unknown;
    try {
      payload = await peer.request("connect", params, { timeoutMs: input.helloTimeoutMs });
    } catch (error) {
      if (input.signal.aborted) throw abortError();
      if (error instanceof RequestTimeoutError) {
        void closeWithGrace(peer, transport, CloseCodes.TICK_TIMEOUT, "connect timeout");
        throw new HandshakeTimeoutError("hello", input.helloTimeoutMs);
      }
      if (isGatewayRequestError(error)) {
        void closeWithGrace(peer, transport, CloseCodes.POLICY_VIOLATION, "connect failed");
        throw connectRejection(error, input.deviceId);
      }
      throw error;
    }
    const hello = HelloOk.safeParse(payload);
    if (!hello.success) {
      void closeWithGrace(peer, transport, CloseCodes.PROTOCOL_ERROR, "invalid hello-ok");
      throw new HandshakeProtocolError(`gateway sent an invalid hello-ok: ${formatValidationIssues(hello.error.issues, payload)}`);
    }
    return { transport, peer, hello: hello.data, challenge };
  } catch (error) {
    if (peer.isOpen) void closeWithGrace(peer, transport, CloseCodes.NORMAL, "connect failed");
    throw error;
  } finally {
    input.signal.removeEventListener("abort", onAbort);
  }
}

function waitForChallenge(peer: Peer, transport: WebSocketTransport, input: HandshakeInput): Promise<ChallengeInfo> {
  return new Promise<ChallengeInfo>((resolve, reject) => {
    if (!peer.isOpen) {
      const info = peer.closeInfo;
      reject(new ConnectionClosedError(info?.code ?? CloseCodes.ABNORMAL, info?.reason ?? ""));
      return;
    }
    const cleanup = (): void => {
      clearTimeout(timer);
      offEvent();
      offClose();
      input.signal.removeEventListener("abort", onAbort);
    };
    const timer = setTimeout(() => {
      cleanup();
      void closeWithGrace(peer, transport, CloseCodes.POLICY_VIOLATION, "connect challenge timeout");
      reject(new HandshakeTimeoutError("challenge", input.challengeTimeoutMs));
    }, input.challengeTimeoutMs);
    const offEvent = peer.onEvent((frame) => {
      if (frame.event !== GatewayEvents.CONNECT_CHALLENGE) return;
      cleanup();
      const challenge = parseChallenge(frame.payload);
      if (challenge === undefined) {
        void closeWithGrace(peer, transport, CloseCodes.POLICY_VIOLATION, "connect challenge missing nonce");
        reject(new HandshakeProtocolError("gateway connect challenge missing nonce"));
        return;
      }
      resolve(challenge);
    });
    const offClose = peer.onClose((info) => {
      cleanup();
      reject(new ConnectionClosedError(info.code, info.reason));
    });
    const onAbort = (): void => {
      cleanup();
      reject(new ConnectError("ABORTED", { cause: input.signal.reason }));
    };
    input.signal.addEventListener("abort", onAbort, { once: true });
  });
}

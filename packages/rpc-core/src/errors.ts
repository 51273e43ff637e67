import type { ErrorShape } from "@clawbridge/protocol";

/**
 * Error classes of the RPC core. Two families that callers must never confuse:
 *
 * * {@link GatewayRequestError}: the *remote* side answered `ok:false` (it has an
 *   {@link ErrorShape}); the connection is healthy.
 * * {@link LocalRpcError} subclasses: something failed *here* (timeout, closed socket,
 *   abort, bad frame, connect failure); there is no gateway answer.
 *
 * Messages carry method names, codes and numbers only — never frame bodies, params or
 * secrets — so they are safe to log. `toJSON()` returns the same safe subset.
 */

/** Discriminator of the local error classes. */
export type LocalRpcErrorKind = "timeout" | "connection-closed" | "aborted" | "protocol-violation" | "connect";

/** Common base of errors raised locally (no gateway answer exists). Check `kind` or use `instanceof`. */
export abstract class LocalRpcError extends Error {
  /** Which local failure this is. */
  abstract readonly kind: LocalRpcErrorKind;

  /** A printable, secret-free summary (no stack, no cause). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, message: this.message, ...this.fields() };
  }

  /** Class-specific fields for {@link toJSON}. */
  protected abstract fields(): Record<string, unknown>;
}

/** A request got no final answer within its deadline. */
export class RequestTimeoutError extends LocalRpcError {
  override readonly name = "RequestTimeoutError";
  readonly kind = "timeout";
  /** The method that timed out. */
  readonly method: string;
  /** The deadline that elapsed (ms). */
  readonly timeoutMs: number;
  /** Whether the request frame had been written; if so the remote may still act on it. */
  readonly requestSent: boolean;

  constructor(method: string, timeoutMs: number, requestSent: boolean) {
    super(
      `request ${method} timed out after ${timeoutMs} ms (${
        requestSent ? "request was sent; the gateway may still act on it" : "request was not sent"
      })`,
    );
    this.method = method;
    this.timeoutMs = timeoutMs;
    this.requestSent = requestSent;
  }

  protected fields(): Record<string, unknown> {
    return { method: this.method, timeoutMs: this.timeoutMs, requestSent: this.requestSent };
  }
}

/**
 * The connection is (or became) closed: a pending request is rejected with it (requests
 * are never replayed), and sending on a closed transport throws it.
 */
export class ConnectionClosedError extends LocalRpcError {
  override readonly name = "ConnectionClosedError";
  readonly kind = "connection-closed";
  /** WebSocket close code (1005 = none given, 1006 = dropped without a close frame). */
  readonly code: number;
  /** Close reason text (may be empty). */
  readonly reason: string;
  /** The request this error settled, when it settled one. */
  readonly method: string | undefined;
  /** Whether that request had been written before the close. */
  readonly requestSent: boolean;

  constructor(code: number, reason: string, options: { method?: string | undefined; requestSent?: boolean } = {}) {
    const what = options.method === undefined ? "connection closed" : `request ${options.method} failed: connection closed`;
    super(`${what} (${code})${reason ? `: ${reason}` : ""}`);
    this.code = code;
    this.reason = reason;
    this.method = options.method;
    this.requestSent = options.requestSent ?? false;
  }

  protected fields(): Record<string, unknown> {
    return { code: this.code, reason: this.reason, method: this.method, requestSent: this.requestSent };
  }
}

/** The caller's `AbortSignal` fired before the request settled. `cause` is the signal's reason. */
export class RequestAbortedError extends LocalRpcError {
  override readonly name = "RequestAbortedError";
  readonly kind = "aborted";
  /** The aborted method. */
  readonly method: string;
  /** Whether the request frame had been written; if so the remote may still act on it. */
  readonly requestSent: boolean;

  constructor(method: string, requestSent: boolean, cause?: unknown) {
    super(
      `request ${method} aborted (${requestSent ? "request was sent; the gateway may still act on it" : "request was not sent"})`,
      cause === undefined ? undefined : { cause },
    );
    this.method = method;
    this.requestSent = requestSent;
  }

  protected fields(): Record<string, unknown> {
    return { method: this.method, requestSent: this.requestSent };
  }
}

/** What was wrong with an inbound text frame. */
export type ProtocolViolation = "malformed-json" | "not-an-object" | "oversize" | "unknown-frame-type" | "invalid-frame";

/**
 * An inbound frame broke the wire contract. Reported through `Peer.onProtocolError`
 * (never thrown at the transport); the peer keeps serving later frames.
 */
export class ProtocolViolationError extends LocalRpcError {
  override readonly name = "ProtocolViolationError";
  readonly kind = "protocol-violation";
  /** The class of violation. */
  readonly violation: ProtocolViolation;
  /** Short, body-free explanation, e.g. `at root: unexpected property 'bogus'`. */
  readonly detail: string;
  /** The frame's `type` when it was an object with a known `type`. */
  readonly frameType: "req" | "res" | "event" | undefined;
  /** The frame's `id` when it was an object with a non-empty string `id`. */
  readonly frameId: string | undefined;

  constructor(
    violation: ProtocolViolation,
    detail: string,
    options: { frameType?: "req" | "res" | "event" | undefined; frameId?: string | undefined } = {},
  ) {
    super(`protocol violation (${violation}): ${detail}`);
    this.violation = violation;
    this.detail = detail;
    this.frameType = options.frameType;
    this.frameId = options.frameId;
  }

  protected fields(): Record<string, unknown> {
    return { violation: this.violation, detail: this.detail, frameType: this.frameType, frameId: this.frameId };
  }
}

/**
 * Opening the WebSocket failed. `code` is the system or TLS error code (`ECONNREFUSED`,
 * `ENOTFOUND`, `ECONNRESET`, `DEPTH_ZERO_SELF_SIGNED_CERT`, …) or one of ours:
 * `UPGRADE_REJECTED` (HTTP answered without 101; see `httpStatus`), `HANDSHAKE_TIMEOUT`,
 * `INVALID_URL`, `ABORTED`, `CLOSED_BEFORE_OPEN`, `UNKNOWN`. `cause` is the underlying error.
 */
export class ConnectError extends LocalRpcError {
  override readonly name = "ConnectError";
  readonly kind = "connect";
  /** System/TLS error code or one of the codes listed on the class. */
  readonly code: string;
  /** HTTP status of a rejected upgrade (`code === "UPGRADE_REJECTED"`). */
  readonly httpStatus: number | undefined;
  /** `Location` header of a rejected upgrade (redirects are not followed unless asked). */
  readonly location: string | undefined;

  constructor(
    code: string,
    options: { httpStatus?: number | undefined; location?: string | undefined; cause?: unknown } = {},
  ) {
    super(
      code === "UPGRADE_REJECTED"
        ? `connect failed: websocket upgrade rejected with HTTP ${options.httpStatus ?? "?"}`
        : `connect failed: ${code}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.httpStatus = options.httpStatus;
    this.location = options.location;
  }

  protected fields(): Record<string, unknown> {
    return { code: this.code, httpStatus: this.httpStatus, location: this.location };
  }
}

/** Brand shared by every copy of this module (dist and src), so duck-typing survives duplicates. */
const GATEWAY_ERROR_BRAND = Symbol.for("clawbridge.rpc-core.GatewayRequestError");

/**
 * The remote side answered `ok:false`. Fields mirror the wire {@link ErrorShape};
 * `message` is the gateway's message verbatim (e.g. `missing scope: operator.write`).
 * A router handler may also throw one (see {@link gatewayError}) to answer with a
 * specific shape — a relay can rethrow an upstream error unchanged.
 */
export class GatewayRequestError extends Error {
  override readonly name = "GatewayRequestError";
  /** `error.code`, e.g. `INVALID_REQUEST`, `FORBIDDEN`, `UNAVAILABLE`. */
  readonly code: string;
  /** `error.details` (open; e.g. `{code:"MISSING_SCOPE", missingScope, requiredScopes}`). */
  readonly details: unknown;
  /** `error.retryable`. */
  readonly retryable: boolean | undefined;
  /** `error.retryAfterMs` (ms). */
  readonly retryAfterMs: number | undefined;
  /** The method whose request failed (undefined when raised by a handler). */
  readonly method: string | undefined;
  readonly [GATEWAY_ERROR_BRAND] = true;

  constructor(shape: ErrorShape, options: { method?: string | undefined } = {}) {
    super(shape.message);
    this.code = shape.code;
    this.details = shape.details;
    this.retryable = shape.retryable;
    this.retryAfterMs = shape.retryAfterMs;
    this.method = options.method;
  }

  /** The wire shape, with absent optional fields omitted. */
  toErrorShape(): ErrorShape {
    const shape: ErrorShape = { code: this.code, message: this.message };
    if (this.details !== undefined) shape.details = this.details;
    if (this.retryable !== undefined) shape.retryable = this.retryable;
    if (this.retryAfterMs !== undefined) shape.retryAfterMs = this.retryAfterMs;
    return shape;
  }

  /** A printable summary: name, method and the wire shape. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, method: this.method, ...this.toErrorShape() };
  }
}

/** True for a {@link GatewayRequestError} from any copy of this module. */
export function isGatewayRequestError(value: unknown): value is GatewayRequestError {
  return (
    value instanceof GatewayRequestError ||
    (typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[GATEWAY_ERROR_BRAND] === true)
  );
}

/**
 * Builds a {@link GatewayRequestError} for a handler to throw, e.g.
 * `throw gatewayError("INVALID_REQUEST", "unknown nodeId")`.
 *
 * @param code - `error.code`
 * @param message - `error.message` (non-empty)
 * @param details - `error.details`, omitted when undefined
 * @param options - `retryable` and `retryAfterMs` (ms), omitted when undefined
 */
export function gatewayError(
  code: string,
  message: string,
  details?: unknown,
  options: { retryable?: boolean | undefined; retryAfterMs?: number | undefined } = {},
): GatewayRequestError {
  const shape: ErrorShape = { code, message };
  if (details !== undefined) shape.details = details;
  if (options.retryable !== undefined) shape.retryable = options.retryable;
  if (options.retryAfterMs !== undefined) shape.retryAfterMs = options.retryAfterMs;
  return new GatewayRequestError(shape);
}

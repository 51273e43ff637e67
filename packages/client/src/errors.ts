import type { ErrorShape } from "@clawbridge/protocol";
import { RequestTimeoutError } from "@clawbridge/rpc-core";

/**
 * Errors raised by `@clawbridge/client` itself. Two families, as in rpc-core:
 *
 * * {@link GatewayClientError} subclasses: a *local* refusal or failure (insecure URL,
 *   TLS pin mismatch, scope ceiling, payload too large, handshake timeout, secret or
 *   profile problems). Each has a stable `code`.
 * * {@link ConnectRejectedError} (and {@link PairingRequiredError}): the *gateway*
 *   answered `connect` with `ok:false`. Request-time gateway errors stay rpc-core's
 *   `GatewayRequestError`.
 *
 * No error carries connect params, tokens, passwords or device tokens: messages are
 * built from codes, method names, hosts and numbers only, and everything the client
 * throws passes through its secret redactor as a second line of defence.
 */

/** Base of the local errors of this package. */
export class GatewayClientError extends Error {
  override name = "GatewayClientError";
  /** Stable machine-readable code, e.g. `INSECURE_PLAINTEXT`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  /** A printable, secret-free summary (no stack, no cause). */
  toJSON(): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (key !== "cause") fields[key] = value;
    }
    return { ...fields, name: this.name, code: this.code, message: this.message };
  }
}

/** A gateway URL that is malformed, uses another scheme, or embeds credentials. */
export class GatewayUrlError extends GatewayClientError {
  override name = "GatewayUrlError";
  constructor(message: string) {
    super("INVALID_URL", message);
  }
}

/** Plaintext `ws://` to a host that is neither loopback nor private (see `assertPlaintextAllowed`). */
export class InsecureTransportError extends GatewayClientError {
  override name = "InsecureTransportError";
  /** The refused host name or address. */
  readonly host: string;
  constructor(message: string, host: string) {
    super("INSECURE_PLAINTEXT", message);
    this.host = host;
  }
}

/** Why a TLS fingerprint pin failed. */
export type TlsFingerprintErrorCode =
  | "TLS_FINGERPRINT_MISMATCH"
  | "TLS_FINGERPRINT_REQUIRES_WSS"
  | "TLS_FINGERPRINT_INVALID";

/** A TLS certificate pin that is malformed, unusable (not `wss://`) or did not match. */
export class TlsFingerprintError extends GatewayClientError {
  override name = "TlsFingerprintError";
  declare readonly code: TlsFingerprintErrorCode;
  /** The pinned SHA-256 (lowercase hex, no colons), when it was valid. */
  readonly expected: string | undefined;
  /** The server leaf certificate's SHA-256 (lowercase hex, no colons), on a mismatch. */
  readonly actual: string | undefined;
  constructor(code: TlsFingerprintErrorCode, message: string, fingerprints: { expected?: string; actual?: string } = {}) {
    super(code, message);
    this.expected = fingerprints.expected;
    this.actual = fingerprints.actual;
  }
}

/** Requested scopes exceed the remote profile's `scopes` ceiling; refused before connecting. */
export class ScopeCeilingError extends GatewayClientError {
  override name = "ScopeCeilingError";
  /** The scopes that would have been requested. */
  readonly requested: readonly string[];
  /** The ceiling. */
  readonly ceiling: readonly string[];
  /** Requested scopes the ceiling does not cover. */
  readonly excess: readonly string[];
  /** The method that needed them, when known. */
  readonly method: string | undefined;
  constructor(requested: readonly string[], ceiling: readonly string[], excess: readonly string[], method?: string) {
    super(
      "SCOPE_CEILING",
      `${method === undefined ? "requested scopes" : `method ${method} needs scopes that`} exceed this remote's scope ceiling: ` +
        `${excess.join(", ")} not within [${ceiling.join(", ")}]`,
    );
    this.requested = [...requested];
    this.ceiling = [...ceiling];
    this.excess = [...excess];
    this.method = method;
  }
}

/** A request frame larger than `hello-ok.policy.maxPayload`; nothing was sent. */
export class PayloadTooLargeError extends GatewayClientError {
  override name = "PayloadTooLargeError";
  /** The method whose request was refused. */
  readonly method: string;
  /** Encoded frame size (bytes, UTF-8). */
  readonly bytes: number;
  /** The limit (bytes). */
  readonly maxPayload: number;
  /** Always false: the frame was refused locally. */
  readonly requestSent = false;
  constructor(method: string, bytes: number, maxPayload: number) {
    super(
      "PAYLOAD_TOO_LARGE",
      `request ${method} is ${bytes} bytes, over the gateway's maxPayload of ${maxPayload} bytes (request was not sent)`,
    );
    this.method = method;
    this.bytes = bytes;
    this.maxPayload = maxPayload;
  }
}

/** Which handshake step ran out of time. */
export type HandshakePhase = "challenge" | "hello";

/**
 * No `connect.challenge` within `challengeTimeoutMs` (socket closed 1008
 * `connect challenge timeout`), or no `hello-ok` within `helloTimeoutMs` after sending
 * `connect` (closed 4000 `connect timeout`).
 */
export class HandshakeTimeoutError extends GatewayClientError {
  override name = "HandshakeTimeoutError";
  readonly phase: HandshakePhase;
  /** The limit that elapsed (ms). */
  readonly timeoutMs: number;
  constructor(phase: HandshakePhase, timeoutMs: number) {
    super(
      phase === "challenge" ? "CONNECT_CHALLENGE_TIMEOUT" : "CONNECT_TIMEOUT",
      phase === "challenge"
        ? `gateway connect challenge timeout (limit ${timeoutMs} ms)`
        : `gateway did not answer connect within ${timeoutMs} ms`,
    );
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

/** The `connect.challenge` or `hello-ok` broke the contract (e.g. missing nonce, invalid hello). */
export class HandshakeProtocolError extends GatewayClientError {
  override name = "HandshakeProtocolError";
  constructor(message: string) {
    super("HANDSHAKE_PROTOCOL", message);
  }
}

/** `waitForPairing` gave up: the total deadline passed while the request stayed pending. */
export class PairingTimeoutError extends GatewayClientError {
  override name = "PairingTimeoutError";
  /** The last pending request id, if the gateway reported one. */
  readonly requestId: string | undefined;
  /** The step for the gateway's operator. */
  readonly approveCommand: string | undefined;
  /** Connect attempts made. */
  readonly attempts: number;
  constructor(attempts: number, last: PairingRequiredError | undefined) {
    super(
      "PAIRING_TIMEOUT",
      `device pairing was not approved in time after ${attempts} attempt(s)` +
        (last?.approveCommand === undefined ? "" : `; the gateway operator can run: ${last.approveCommand}`),
    );
    this.requestId = last?.requestId;
    this.approveCommand = last?.approveCommand;
    this.attempts = attempts;
  }
}

/** A secret (env var, file, command) could not be resolved. Never includes the secret. */
export class SecretSourceError extends GatewayClientError {
  override name = "SecretSourceError";
  /** True when a secret command was stopped at its timeout. */
  readonly timedOut: boolean;
  constructor(message: string, options: { timedOut?: boolean } = {}) {
    super("SECRET_UNAVAILABLE", message);
    this.timedOut = options.timedOut === true;
  }
}

/** Remote-profile failures. */
export type RemoteProfileErrorCode = "UNKNOWN_REMOTE" | "INVALID_REMOTES_FILE" | "REMOTE_EXISTS" | "INVALID_REMOTE";

/** `remotes.json` is invalid, or a named remote is missing or already exists. */
export class RemoteProfileError extends GatewayClientError {
  override name = "RemoteProfileError";
  declare readonly code: RemoteProfileErrorCode;
  constructor(code: RemoteProfileErrorCode, message: string) {
    super(code, message);
  }
}

/** Reading `recommendedNextStep` etc. from open `details`. */
function detailString(details: unknown, key: string): string | undefined {
  if (details === null || typeof details !== "object") return undefined;
  const value = (details as Record<string, unknown>)[key];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/**
 * The gateway rejected `connect` (auth, device proof, protocol, admission). Fields
 * mirror the wire error; `detailCode` is `details.code` (e.g. `AUTH_TOKEN_MISMATCH`).
 * Distinct from a request-time `GatewayRequestError` so a CLI can map it to its own
 * exit code.
 */
export class ConnectRejectedError extends Error {
  override name = "ConnectRejectedError";
  /** Top-level `error.code` (`INVALID_REQUEST`, `NOT_PAIRED`, `UNAVAILABLE`, …). */
  readonly code: string;
  /** `error.details.code`, e.g. `AUTH_TOKEN_MISMATCH`, `PAIRING_REQUIRED`. */
  readonly detailCode: string | undefined;
  /** `error.details` (open). */
  readonly details: unknown;
  readonly retryable: boolean | undefined;
  /** `error.retryAfterMs` (ms). */
  readonly retryAfterMs: number | undefined;
  /** `details.recommendedNextStep`, e.g. `wait_then_retry`. */
  readonly recommendedNextStep: string | undefined;
  /** The gateway's own `error.message` (the `message` adds that the connect was rejected). */
  readonly gatewayMessage: string;

  constructor(shape: ErrorShape) {
    super(`gateway rejected connect: ${shape.message}`);
    this.gatewayMessage = shape.message;
    this.code = shape.code;
    this.details = shape.details;
    this.detailCode = detailString(shape.details, "code");
    this.retryable = shape.retryable;
    this.retryAfterMs = shape.retryAfterMs;
    this.recommendedNextStep = detailString(shape.details, "recommendedNextStep");
  }

  /** A printable summary (no stack). */
  toJSON(): Record<string, unknown> {
    return { ...Object.fromEntries(Object.entries(this)), name: this.name, message: this.message };
  }
}

/** The exact step GW2's operator runs to approve a pending device pairing request. */
export function approveCommandFor(requestId: string): string {
  return `openclaw devices approve ${requestId}`;
}

/**
 * `connect` ended in `NOT_PAIRED` / `PAIRING_REQUIRED`: the device identity is not (yet)
 * approved for the requested role and scopes. Show {@link approveCommand} to the
 * gateway's operator, then retry (or use `GatewayClient.waitForPairing`).
 */
export class PairingRequiredError extends ConnectRejectedError {
  override name = "PairingRequiredError";
  /** Pending pairing request id (`details.requestId`), when the gateway gave one. */
  readonly requestId: string | undefined;
  /** `not-paired`, `role-upgrade`, `scope-upgrade` or `metadata-upgrade` (`details.reason`). */
  readonly reason: string | undefined;
  /** This client's device id (lowercase hex). */
  readonly deviceId: string | undefined;
  /** `openclaw devices approve <requestId>`, or undefined without a request id. */
  readonly approveCommand: string | undefined;
  /** The gateway's own hint (`details.remediationHint`). */
  readonly remediationHint: string | undefined;

  constructor(shape: ErrorShape, fallbackDeviceId?: string) {
    super(shape);
    this.requestId = detailString(shape.details, "requestId");
    this.reason = detailString(shape.details, "reason");
    this.deviceId = detailString(shape.details, "deviceId") ?? fallbackDeviceId;
    this.remediationHint = detailString(shape.details, "remediationHint");
    this.approveCommand = this.requestId === undefined ? undefined : approveCommandFor(this.requestId);
    if (this.approveCommand !== undefined) {
      this.message = `${this.message} — ask the gateway operator to run: ${this.approveCommand}`;
    }
  }
}

/** Where {@link CallTimeoutError} ran out of time. */
export type CallPhase = "connect" | "request";

/**
 * The one-shot budget of `GatewayClient.callOnce` ran out. `requestSent` says
 * whether the request frame had been written (if so, the gateway may still act on it);
 * `phase` says whether the time went on connecting or on waiting for the answer.
 */
export class CallTimeoutError extends RequestTimeoutError {
  readonly phase: CallPhase;
  constructor(method: string, timeoutMs: number, requestSent: boolean, phase: CallPhase) {
    super(method, timeoutMs, requestSent);
    this.phase = phase;
    this.message = `gateway timeout after ${timeoutMs}ms while ${phase === "connect" ? "connecting" : `waiting for ${method}`} (${
      requestSent ? "request was sent; the outcome is unknown" : "request was not sent"
    })`;
  }

  protected override fields(): Record<string, unknown> {
    return { ...super.fields(), phase: this.phase };
  }
}

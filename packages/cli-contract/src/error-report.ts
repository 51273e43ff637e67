import {
  CallTimeoutError,
  ConnectRejectedError,
  GatewayClientError,
  HandshakeProtocolError,
  HandshakeTimeoutError,
  InsecureTransportError,
  PairingRequiredError,
  PairingTimeoutError,
  PayloadTooLargeError,
  RemoteProfileError,
  ScopeCeilingError,
  SecretSourceError,
  TlsFingerprintError,
} from "@clawbridge/client";
import { ConnectError, ConnectionClosedError, RequestTimeoutError, isGatewayRequestError } from "@clawbridge/rpc-core";
import { CliError, InterruptedError } from "./cli-error.js";
import type { ErrorType } from "./cli-error.js";
import { ExitCodes, RELAY_POLICY_DENIED } from "./exit-codes.js";
import type { ExitCode } from "./exit-codes.js";

/** The `error` object of the `--json` failure envelope. */
export interface ErrorBody {
  readonly type: ErrorType;
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
  readonly retryable?: boolean;
  readonly retryAfterMs?: number;
  /** Transport failures: `connect`, `tls`, `insecure`, `closed`, `timeout`, `protocol`. */
  readonly kind?: string;
  /** `connect` when the gateway rejected the handshake (exit 4), absent for request-time errors. */
  readonly phase?: string;
  /** Timeouts and closes: whether the request frame had been written (the gateway may have acted). */
  readonly requestSent?: boolean;
  readonly timeoutMs?: number;
  /** WebSocket close code of a closed connection. */
  readonly closeCode?: number;
  /** Close reason text. */
  readonly reason?: string;
}

/** Where the CLI was connecting, for transport envelopes (`gateway: {url, urlSource}`, as OpenClaw). */
export interface GatewayTarget {
  /** Display URL (no userinfo, query or fragment). */
  readonly url: string;
  readonly urlSource: string;
}

/** A failure, classified once for both output modes. */
export interface ErrorReport {
  readonly exitCode: ExitCode;
  readonly body: ErrorBody;
  /** The one-line human message. */
  readonly line: string;
  /** Optional second line for humans: what to do next. */
  readonly hint: string | undefined;
  /** Added as the envelope's top-level `gateway` for transport failures. */
  readonly gateway: GatewayTarget | undefined;
}

/** Context that sharpens messages and hints. */
export interface ErrorContext {
  readonly target?: GatewayTarget | undefined;
  /** The named remote in use (for hints like `clawbridge gateway pair --remote <id>`). */
  readonly remoteId?: string | undefined;
}

/** TLS failures reported by Node as a system error code on connect. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|EPROTO$|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_INVALID)/;

function detailCodeOf(details: unknown): string | undefined {
  if (details === null || typeof details !== "object") return undefined;
  const code = (details as Record<string, unknown>)["code"];
  return typeof code === "string" ? code : undefined;
}

function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) out[key] = value;
  return out as T;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? text;
}

function transport(
  exitCode: ExitCode,
  kind: string,
  code: string,
  message: string,
  context: ErrorContext,
  extra: Record<string, unknown> = {},
  hint?: string,
): ErrorReport {
  return {
    exitCode,
    body: withOptional<ErrorBody>({ type: "gateway_transport_error", kind, code, message }, extra),
    line: message,
    hint,
    gateway: context.target,
  };
}

function connectRejected(error: ConnectRejectedError, context: ErrorContext): ErrorReport {
  const relay = error.detailCode === RELAY_POLICY_DENIED;
  const body = withOptional<ErrorBody>(
    // `retryable` always present, as OpenClaw's CLI prints it (a gateway may omit it: false).
    // The gateway's message as is, as OpenClaw's CLI prints it; `phase` says it was the connect.
    { type: relay ? "relay_policy_denied" : "gateway_request_error", code: error.code, message: error.gatewayMessage, phase: "connect", retryable: error.retryable === true },
    { details: error.details, retryAfterMs: error.retryAfterMs },
  );
  let hint: string | undefined;
  if (error instanceof PairingRequiredError) {
    const pair = context.remoteId === undefined ? "clawbridge gateway pair --remote <id>" : `clawbridge gateway pair --remote ${context.remoteId}`;
    hint =
      error.approveCommand === undefined
        ? `this device must be approved on the gateway; run ${pair} to request and wait for approval`
        : `after the gateway operator approves, retry (or run ${pair}, which waits for the approval)`;
  } else if (error.detailCode === "AUTH_TOKEN_MISMATCH" || error.detailCode === "AUTH_PASSWORD_MISMATCH") {
    const secret = error.detailCode === "AUTH_TOKEN_MISMATCH" ? "token" : "password";
    hint =
      context.remoteId === undefined
        ? `check where the ${secret} comes from (--${secret}-env, --${secret}-file, --${secret} -, or a remote profile)`
        : `check where remote ${context.remoteId}'s ${secret} comes from (clawbridge remote show ${context.remoteId}); ` +
          `change it with clawbridge remote add ${context.remoteId} --url … --${secret}-env <VAR> --replace (or --${secret}-file / --${secret}-command)`;
  } else if (error.detailCode === "AUTH_DEVICE_TOKEN_MISMATCH") {
    hint = "the stored device token was rejected and has been forgotten; pair again";
  } else if (error.detailCode === "PROTOCOL_MISMATCH") {
    hint = "this gateway does not speak protocol v4 (OpenClaw 2026.9.x)";
  }
  return { exitCode: relay ? ExitCodes.RELAY_DENIED : ExitCodes.CONNECT_REJECTED, body, line: error.message, hint, gateway: undefined };
}

/** A relay's own message already says `relay policy: …`; the human line adds the prefix only once. */
const RELAY_POLICY_PREFIX = /^relay policy:\s*/i;

function requestFailed(error: {
  code: string;
  message: string;
  details: unknown;
  retryable: boolean | undefined;
  retryAfterMs: number | undefined;
}): ErrorReport {
  const relay = detailCodeOf(error.details) === RELAY_POLICY_DENIED;
  const body = withOptional<ErrorBody>(
    { type: relay ? "relay_policy_denied" : "gateway_request_error", code: error.code, message: error.message, retryable: error.retryable === true },
    { details: error.details, retryAfterMs: error.retryAfterMs },
  );
  let hint: string | undefined;
  if (detailCodeOf(error.details) === "MISSING_SCOPE") {
    hint = "the connection lacks a scope this method needs; request it with --scopes (the token or device must be allowed it)";
  } else if (error.code === "INVALID_REQUEST" && /^unknown method\b/.test(error.message)) {
    hint = "list the methods this gateway offers: clawbridge gateway methods (same target options)";
  } else if (error.retryAfterMs !== undefined) {
    hint = `the gateway asks to retry after ${error.retryAfterMs} ms`;
  } else if (error.retryable === true) {
    hint = "the gateway says this is retryable";
  }
  return {
    exitCode: relay ? ExitCodes.RELAY_DENIED : ExitCodes.GATEWAY_ERROR,
    body,
    line: relay ? `denied by relay policy: ${error.message.replace(RELAY_POLICY_PREFIX, "")}` : error.message,
    hint,
    gateway: undefined,
  };
}

function connectFailed(error: ConnectError, context: ErrorContext): ErrorReport {
  const url = context.target?.url ?? "the gateway";
  const extra = { details: error.httpStatus === undefined ? undefined : withOptional({ httpStatus: error.httpStatus }, { location: error.location }) };
  switch (true) {
    case error.code === "HANDSHAKE_TIMEOUT":
      return transport(ExitCodes.TIMEOUT, "timeout", "TIMEOUT", `timed out opening the WebSocket to ${url} (request was not sent)`, context, { requestSent: false });
    case error.code === "UPGRADE_REJECTED":
      return transport(
        ExitCodes.CONNECT_FAILED,
        "connect",
        error.code,
        `Gateway at ${url} rejected the WebSocket upgrade (HTTP ${error.httpStatus ?? "?"}).`,
        context,
        extra,
        "a proxy or access gateway in front of it may need its own credentials",
      );
    case error.code === "ENOTFOUND" || error.code === "EAI_AGAIN":
      return transport(ExitCodes.CONNECT_FAILED, "connect", error.code, `Gateway host not found: ${url} (${error.code}).`, context);
    case TLS_CODE.test(error.code):
      return transport(
        ExitCodes.CONNECT_FAILED,
        "tls",
        error.code,
        `TLS handshake with ${url} failed (${error.code}).`,
        context,
        {},
        "for a self-signed gateway certificate, pin it with --tls-fingerprint <sha256> (verify the fingerprint out of band)",
      );
    default:
      return transport(ExitCodes.CONNECT_FAILED, "connect", error.code, `Gateway not reachable at ${url} (${error.code}).`, context);
  }
}

function closed(error: ConnectionClosedError, context: ErrorContext): ErrorReport {
  const reason = error.reason === "" ? "" : `: ${error.reason}`;
  const outcome = error.requestSent ? " (request was sent; the outcome is unknown)" : error.method === undefined ? "" : " (request was not sent)";
  const tickTimeout = error.code === 4000;
  return transport(
    tickTimeout ? ExitCodes.TIMEOUT : ExitCodes.CONNECT_FAILED,
    "closed",
    "CONNECTION_CLOSED",
    `gateway closed (${error.code})${reason}${outcome}`,
    context,
    { closeCode: error.code, reason: error.reason, requestSent: error.requestSent },
    error.code === 1012 || error.code === 1013 ? "the gateway is restarting or starting; retry shortly" : undefined,
  );
}

/**
 * Maps any error to its exit code, `--json` envelope and human lines. The one place
 * that knows the exit-code contract; every command's failures pass through here.
 */
export function reportError(error: unknown, context: ErrorContext = {}): ErrorReport {
  if (error instanceof CliError) {
    return {
      exitCode: error.exitCode,
      body: withOptional<ErrorBody>(
        { type: error.type, code: error.code, message: error.message },
        { details: error.details, requestSent: error instanceof InterruptedError ? error.requestSent : undefined },
      ),
      line: error.message,
      hint: error.hint,
      gateway: undefined,
    };
  }
  // Connect rejections first: they are gateway answers, but to the handshake (exit 4).
  if (error instanceof ConnectRejectedError) return connectRejected(error, context);
  if (isGatewayRequestError(error)) return requestFailed(error);
  if (error instanceof CallTimeoutError || error instanceof RequestTimeoutError) {
    const extra: Record<string, unknown> = { requestSent: error.requestSent, timeoutMs: error.timeoutMs };
    if (error instanceof CallTimeoutError) extra["phase"] = error.phase;
    return transport(ExitCodes.TIMEOUT, "timeout", "TIMEOUT", error.message, context, extra);
  }
  if (error instanceof HandshakeTimeoutError) {
    return transport(ExitCodes.TIMEOUT, "timeout", error.code, `${error.message} (request was not sent)`, context, {
      requestSent: false,
      timeoutMs: error.timeoutMs,
    });
  }
  if (error instanceof PairingTimeoutError) {
    return transport(ExitCodes.TIMEOUT, "timeout", error.code, error.message, context, {
      requestSent: false,
      details: withOptional({ attempts: error.attempts }, { requestId: error.requestId }),
    });
  }
  if (error instanceof ConnectError) return connectFailed(error, context);
  if (error instanceof ConnectionClosedError) return closed(error, context);
  if (error instanceof TlsFingerprintError) {
    if (error.code !== "TLS_FINGERPRINT_MISMATCH") return usage(error.code, error.message);
    return transport(
      ExitCodes.CONNECT_FAILED,
      "tls",
      error.code,
      `${error.message} at ${context.target?.url ?? "the gateway"}`,
      context,
      { details: withOptional({ expected: error.expected }, { actual: error.actual }) },
      "the gateway presented another certificate than the pinned one; do not connect until you verified why",
    );
  }
  if (error instanceof InsecureTransportError) {
    return transport(
      ExitCodes.CONNECT_FAILED,
      "insecure",
      error.code,
      firstLine(error.message),
      context,
      { details: { host: error.host } },
      "use wss:// (pin a self-signed certificate with --tls-fingerprint), or an SSH tunnel to a loopback port",
    );
  }
  if (error instanceof HandshakeProtocolError) {
    return transport(ExitCodes.CONNECT_REJECTED, "protocol", error.code, error.message, context);
  }
  if (error instanceof SecretSourceError) {
    return { exitCode: ExitCodes.USAGE, body: { type: "gateway_credentials_required", code: error.code, message: error.message }, line: error.message, hint: undefined, gateway: undefined };
  }
  if (error instanceof PayloadTooLargeError || error instanceof ScopeCeilingError || error instanceof RemoteProfileError) {
    return usage(error.code, error.message);
  }
  if (error instanceof GatewayClientError) return usage(error.code, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return {
    exitCode: ExitCodes.GATEWAY_ERROR,
    body: { type: "cli_error", code: "INTERNAL", message },
    line: message,
    hint: undefined,
    gateway: undefined,
  };
}

function usage(code: string, message: string): ErrorReport {
  return { exitCode: ExitCodes.USAGE, body: { type: "usage_error", code, message }, line: message, hint: undefined, gateway: undefined };
}

/** The `--json` failure document. */
export function errorEnvelope(report: ErrorReport): Record<string, unknown> {
  return report.gateway === undefined ? { ok: false, error: report.body } : { ok: false, error: report.body, gateway: report.gateway };
}

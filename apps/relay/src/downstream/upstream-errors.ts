import { PayloadTooLargeError } from "@clawbridge/client";
import { ErrorCodes } from "@clawbridge/protocol";
import { ConnectionClosedError, gatewayError, isGatewayRequestError } from "@clawbridge/rpc-core";
import type { GatewayRequestError } from "@clawbridge/rpc-core";
import type { RequestOutcome } from "../ops/relay-metrics.js";
import { UpstreamDownError } from "../upstream/upstream-link.js";

/** `details.code` when the upstream is down or the link dropped mid-request. */
export const RELAY_UPSTREAM_UNAVAILABLE = "RELAY_UPSTREAM_UNAVAILABLE";
/** `details.code` when the upstream did not answer in time. */
export const RELAY_UPSTREAM_TIMEOUT = "RELAY_UPSTREAM_TIMEOUT";
/** `details.code` while the relay drains (SIGTERM). */
export const RELAY_DRAINING = "RELAY_DRAINING";

/** Suggested wait before retrying when the upstream is (re)connecting (ms). */
const RECONNECT_RETRY_AFTER_MS = 1_000;

/** How the relay answers a failed forward, and how it counts it. */
export interface MappedFailure {
  readonly error: GatewayRequestError;
  readonly outcome: RequestOutcome;
}

/**
 * Maps what `UpstreamLink.call` rejected with to the client's answer:
 *
 * * the gateway's own error (`ok:false`) passes through unchanged;
 * * a link that is down, or drops while the request is pending, becomes
 *   `UNAVAILABLE` + `retryable:true` with `details {code: RELAY_UPSTREAM_UNAVAILABLE,
 *   upstream, requestSent}` — after `requestSent:true` the gateway may have acted, so
 *   side-effecting calls should be retried with the same `idempotencyKey` (the gateway
 *   deduplicates on it);
 * * the relay's own deadline becomes `UNAVAILABLE` `RELAY_UPSTREAM_TIMEOUT`;
 * * a frame over the upstream's `maxPayload` becomes `INVALID_REQUEST`.
 *
 * Messages are built here from ids and numbers: local error texts are never copied.
 */
export function mapUpstreamFailure(error: unknown, upstream: string, timedOutAfterMs: number | undefined): MappedFailure {
  if (isGatewayRequestError(error)) return { error, outcome: "upstream_error" };
  if (timedOutAfterMs !== undefined) {
    return {
      outcome: "timeout",
      error: gatewayError(
        ErrorCodes.UNAVAILABLE,
        `upstream ${upstream} did not answer within ${timedOutAfterMs} ms`,
        { code: RELAY_UPSTREAM_TIMEOUT, upstream, timeoutMs: timedOutAfterMs, requestSent: true },
        { retryable: true },
      ),
    };
  }
  if (error instanceof UpstreamDownError) {
    return {
      outcome: "unavailable",
      error: gatewayError(
        ErrorCodes.UNAVAILABLE,
        `upstream ${upstream} is not connected; retry shortly`,
        { code: RELAY_UPSTREAM_UNAVAILABLE, upstream, requestSent: false },
        { retryable: true, retryAfterMs: RECONNECT_RETRY_AFTER_MS },
      ),
    };
  }
  if (error instanceof PayloadTooLargeError) {
    return {
      outcome: "denied",
      error: gatewayError(ErrorCodes.INVALID_REQUEST, `request is larger than upstream ${upstream} accepts (${error.maxPayload} bytes)`, {
        code: "RELAY_PAYLOAD_TOO_LARGE",
        upstream,
        maxPayload: error.maxPayload,
      }),
    };
  }
  const requestSent = error instanceof ConnectionClosedError ? error.requestSent : true;
  const closeCode = error instanceof ConnectionClosedError ? ` (${error.code})` : "";
  return {
    outcome: "unavailable",
    error: gatewayError(
      ErrorCodes.UNAVAILABLE,
      requestSent
        ? `upstream ${upstream} connection lost before it answered${closeCode}; the request may have run`
        : `upstream ${upstream} connection lost${closeCode}; the request was not sent`,
      { code: RELAY_UPSTREAM_UNAVAILABLE, upstream, requestSent },
      { retryable: true, retryAfterMs: RECONNECT_RETRY_AFTER_MS },
    ),
  };
}

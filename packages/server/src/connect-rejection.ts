import { CloseCodes, truncateCloseReason } from "@clawbridge/protocol";
import type { ErrorShape } from "@clawbridge/protocol";

/**
 * An OpenClaw-shaped refusal of `connect`: the error answered to the connect request,
 * then the close code and reason of the socket.
 */
export interface ConnectRejection {
  readonly ok: false;
  /** The `error` of the `res` frame (e.g. `INVALID_REQUEST` + `details.code`). */
  readonly error: ErrorShape;
  /** Close code. Default 1008 (policy violation). */
  readonly closeCode: number;
  /** Close reason, already truncated to 123 bytes. Default: the error message. */
  readonly closeReason: string;
}

/**
 * Builds a {@link ConnectRejection}.
 *
 * @param code - `error.code` (`INVALID_REQUEST`, `NOT_PAIRED`, `UNAVAILABLE`, …)
 * @param message - `error.message`; also the close reason unless `options.closeReason` is set
 * @param details - `error.details` (omitted when undefined)
 * @param options - close code (default 1008), close reason (default `message`), retry hints
 */
export function connectRejection(
  code: string,
  message: string,
  details?: unknown,
  options: {
    closeCode?: number | undefined;
    closeReason?: string | undefined;
    retryable?: boolean | undefined;
    retryAfterMs?: number | undefined;
  } = {},
): ConnectRejection {
  const error: ErrorShape = { code, message };
  if (details !== undefined) error.details = details;
  if (options.retryable !== undefined) error.retryable = options.retryable;
  if (options.retryAfterMs !== undefined) error.retryAfterMs = options.retryAfterMs;
  return {
    ok: false,
    error,
    closeCode: options.closeCode ?? CloseCodes.POLICY_VIOLATION,
    closeReason: truncateCloseReason(options.closeReason ?? message),
  };
}

import { ExitCodes } from "./exit-codes.js";
import type { ExitCode } from "./exit-codes.js";

/** `error.type` values of the `--json` failure envelope. */
export type ErrorType =
  | "gateway_request_error"
  | "gateway_transport_error"
  | "gateway_credentials_required"
  | "usage_error"
  | "relay_policy_denied"
  | "skill_policy_denied"
  | "interrupted"
  | "cli_error";

/** Options of {@link CliError}. */
export interface CliErrorOptions {
  /** A second line for humans (what to do next). */
  hint?: string | undefined;
  /** Extra machine-readable facts for the envelope's `details`. */
  details?: unknown;
}

/**
 * A failure the CLI itself detects (bad flag, bad `--params`, missing credentials, …),
 * always before anything is sent. Carries its exit code and envelope type so the
 * error printer needs no guessing. Messages must never contain secrets.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: ExitCode;
  readonly type: ErrorType;
  /** Stable machine-readable code, e.g. `INVALID_PARAMS`. */
  readonly code: string;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(exitCode: ExitCode, type: ErrorType, code: string, message: string, options: CliErrorOptions = {}) {
    super(message);
    this.exitCode = exitCode;
    this.type = type;
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** A usage error (exit 2, type `usage_error`). */
export function usageError(code: string, message: string, options: CliErrorOptions = {}): CliError {
  return new CliError(ExitCodes.USAGE, "usage_error", code, message, options);
}

/** Missing or unreadable credentials (exit 2, type `gateway_credentials_required`). */
export function credentialsError(code: string, message: string, options: CliErrorOptions = {}): CliError {
  return new CliError(ExitCodes.USAGE, "gateway_credentials_required", code, message, options);
}

/** The signals a one-shot command turns into an `interrupted` failure. */
export type InterruptSignal = "SIGINT" | "SIGTERM";

/**
 * The command was interrupted by SIGINT or SIGTERM (exit 130 / 143, type `interrupted`,
 * code `INTERRUPTED`). `requestSent` says whether a request frame had been written: if
 * so, the gateway may still act on it.
 */
export class InterruptedError extends CliError {
  readonly signal: InterruptSignal;
  readonly requestSent: boolean;

  constructor(signal: InterruptSignal, requestSent: boolean, message?: string) {
    super(
      signal === "SIGINT" ? ExitCodes.INTERRUPTED : ExitCodes.TERMINATED,
      "interrupted",
      "INTERRUPTED",
      message ?? `interrupted by ${signal} (${requestSent ? "request was sent; the gateway may still act on it" : "request was not sent"})`,
      { details: { signal } },
    );
    this.signal = signal;
    this.requestSent = requestSent;
  }
}

import type { SecretRedactor } from "./secret-redactor.js";

/** Log levels the client uses. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * Where the client writes diagnostics. Compatible with `pino`'s `(obj, msg)` calling
 * convention reversed for simplicity: `(message, fields?)`. Any method may be absent.
 * Default: no logging.
 */
export interface ClientLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** The logger the client calls internally: every line and field passes the redactor first. */
export interface RedactingLogger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/**
 * Wraps `logger` so no registered secret can reach it, even if a gateway message or a
 * library error echoes one. Errors in fields are reduced to `{name, code, message}`.
 */
export function createRedactingLogger(logger: ClientLogger | undefined, redactor: SecretRedactor): RedactingLogger {
  return {
    log(level, message, fields) {
      const sink = logger?.[level];
      if (sink === undefined) return;
      let safeFields: Record<string, unknown> | undefined;
      if (fields !== undefined) {
        safeFields = {};
        for (const [key, value] of Object.entries(fields)) {
          safeFields[key] = value instanceof Error ? summarizeError(value, redactor) : redactor.redactValue(value);
        }
      }
      try {
        if (safeFields === undefined) sink.call(logger, redactor.redact(message));
        else sink.call(logger, redactor.redact(message), safeFields);
      } catch {
        // A throwing logger must never break the connection logic.
      }
    },
  };
}

function summarizeError(error: Error, redactor: SecretRedactor): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
    message: redactor.redact(error.message),
  };
}

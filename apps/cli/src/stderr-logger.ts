import type { ClientLogger, LogLevel } from "@clawbridge/client";
import type { Output } from "./output.js";

/** Environment variable that turns on client diagnostics on stderr: `debug`, `info`, `warn` or `error`. */
export const LOG_ENV = "CLAWBRIDGE_LOG";

const ORDER: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/**
 * A client logger writing one line per record to stderr when `CLAWBRIDGE_LOG` is set
 * (the client redacts secrets before a record reaches it; the output redacts again).
 * Undefined when logging is off, so the client skips formatting entirely.
 */
export function stderrLogger(env: NodeJS.ProcessEnv, output: Output): ClientLogger | undefined {
  const wanted = env[LOG_ENV]?.trim().toLowerCase();
  const threshold = ORDER.indexOf(wanted as LogLevel);
  if (threshold < 0) return undefined;
  const sink = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    output.info(`[clawbridge ${level}] ${message}${fields === undefined ? "" : ` ${JSON.stringify(fields)}`}`);
  };
  const logger: ClientLogger = {};
  for (const level of ORDER.slice(threshold)) logger[level] = sink(level);
  return logger;
}

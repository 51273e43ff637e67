import { usageError } from "@clawbridge/cli-contract";

const MAX_TCP_PORT = 65_535;

/** OpenClaw's strict integer parse: optional sign and digits only (no `1e3`, no `10ms`), safe integers. */
function parseStrictInteger(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * `--port`: an integer 1..65535, with OpenClaw's message
 * (`--port must be an integer between 1 and 65535.`).
 */
export function parsePort(raw: string, flag = "--port"): number {
  const value = parseStrictInteger(raw);
  if (value === undefined || value < 1 || value > MAX_TCP_PORT) {
    throw usageError("INVALID_PORT", `${flag} must be an integer between 1 and ${MAX_TCP_PORT}.`);
  }
  return value;
}

/** A port for a server to bind: 0 (any free port) to 65535. */
export function parseListenPort(raw: string): number {
  const value = parseStrictInteger(raw);
  if (value === undefined || value < 0 || value > MAX_TCP_PORT) {
    throw usageError("INVALID_PORT", `--port must be an integer between 0 and ${MAX_TCP_PORT}.`);
  }
  return value;
}

/**
 * The largest timeout any flag or variable may give (ms): 2^31 - 1, about 24.8 days, the
 * longest delay `setTimeout` honours (a larger one fires at once, with a warning).
 */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * `--timeout <ms>` (and every other millisecond flag): a positive integer of at most
 * `max` (default {@link MAX_TIMEOUT_MS}), with OpenClaw's message for the rest
 * (`Invalid --timeout. Use a positive millisecond value, e.g. --timeout 30000. Received: "<v>".`).
 */
export function parseTimeoutMs(raw: string, flag = "--timeout", max = MAX_TIMEOUT_MS): number {
  const value = parseStrictInteger(raw);
  if (value === undefined || value <= 0) {
    const received = raw.trim() === "" ? "" : ` Received: "${raw}".`;
    throw usageError("INVALID_TIMEOUT", `Invalid ${flag}. Use a positive millisecond value, e.g. ${flag} 30000.${received}`);
  }
  if (value > max) {
    const limit = max === MAX_TIMEOUT_MS ? `${MAX_TIMEOUT_MS} (about 24.8 days)` : String(max);
    throw usageError("INVALID_TIMEOUT", `Invalid ${flag}. The largest millisecond value is ${limit}. Received: "${raw}".`);
  }
  return value;
}

/**
 * A millisecond value from environment variable `name`: undefined when unset or empty,
 * otherwise as {@link parseTimeoutMs}, the error naming the variable.
 */
export function parseTimeoutEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  return parseTimeoutMs(raw, name);
}

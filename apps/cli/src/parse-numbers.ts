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
 * `--timeout <ms>`: a positive integer of milliseconds, with OpenClaw's message
 * (`Invalid --timeout. Use a positive millisecond value, e.g. --timeout 30000. Received: "<v>".`).
 */
export function parseTimeoutMs(raw: string, flag = "--timeout"): number {
  const value = parseStrictInteger(raw);
  if (value === undefined || value <= 0) {
    const received = raw.trim() === "" ? "" : ` Received: "${raw}".`;
    throw usageError("INVALID_TIMEOUT", `Invalid ${flag}. Use a positive millisecond value, e.g. ${flag} 30000.${received}`);
  }
  return value;
}

import { usageError } from "@clawbridge/cli-contract";

/** Largest `--params` accepted (bytes of UTF-8): an argv element, not a file upload. */
export const MAX_PARAMS_BYTES = 64 * 1024;

/**
 * Parses `--params` as inline JSON. Unlike `clawbridge gateway call`, there is no
 * `@file` and no `-` (stdin): an agent drives this bin, and reading files on the node
 * on its behalf would let it ship any readable file to a remote gateway.
 *
 * @param text - the option value, or undefined when absent
 * @param fallback - the value when absent
 * @throws CliError `INVALID_PARAMS` (exit 2)
 */
export function parseParamsJson(text: string | undefined, fallback: unknown): unknown {
  if (text === undefined) return fallback;
  if (text.startsWith("@") || text === "-") {
    throw usageError("INVALID_PARAMS", "--params takes inline JSON only (no @file, no stdin)");
  }
  if (Buffer.byteLength(text, "utf8") > MAX_PARAMS_BYTES) {
    throw usageError("INVALID_PARAMS", `--params is larger than ${MAX_PARAMS_BYTES} bytes`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // The parser's message names the position only, never echoes the text.
    throw usageError("INVALID_PARAMS", `--params is not valid JSON (${(error as Error).message.split("\n", 1)[0] ?? "parse error"})`);
  }
}

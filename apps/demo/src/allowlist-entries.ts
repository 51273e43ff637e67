import type { ExecAllowlistEntry } from "@clawbridge/mock-gateway";

/** Escapes `text` for use as a literal inside an ECMAScript regex (valid with and without the `u` flag). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A gateway method name as argv carries it (`node.list`, `last-heartbeat`). */
const METHOD = "[a-z][a-z0-9.-]*";
/** An optional `--timeout <ms>`. */
const TIMEOUT = "(?: --timeout [1-9][0-9]{0,6})?";

/**
 * WN1's allowlist entry for the seed flow: the real `clawbridge` file (OpenClaw matches
 * `pattern` against the resolved executable) running only `gateway call <method>
 * --remote gw2 [--timeout <ms>] --json`. Any method passes the regex on purpose: the
 * `gw2` profile's scope ceiling (`operator.read`) is the authority, enforced by the CLI
 * before it connects; the allowlist keeps every other subcommand and remote out.
 *
 * @param clawbridgeBin - absolute path of the built bin
 */
export function seedAllowlistEntry(clawbridgeBin: string): ExecAllowlistEntry {
  return { pattern: clawbridgeBin, argPattern: `^gateway call ${METHOD} --remote gw2${TIMEOUT} --json$` };
}

/**
 * WN1's allowlist entry for the relay flow: `clawbridge gateway call <method> --url
 * <relay>/gw/gw2 --token-file <WN1's relay token file> [--timeout <ms>] --json`, that URL
 * and that file only.
 */
export function relayAllowlistEntry(clawbridgeBin: string, relayGw2Url: string, tokenFile: string): ExecAllowlistEntry {
  return {
    pattern: clawbridgeBin,
    argPattern: `^gateway call ${METHOD} --url ${escapeRegex(relayGw2Url)} --token-file ${escapeRegex(tokenFile)}${TIMEOUT} --json$`,
  };
}

import { compilePattern } from "./pattern.js";

/**
 * Method families a relay client never reaches through a wildcard: gateway
 * configuration, exec-approval policy, setup wizards, updates, device management and
 * node pairing. Any of them lets one tenant change what every other tenant of the
 * gateway may do, which is exactly what a relay exists to prevent.
 *
 * The rule: a method in these families is denied unless an `allow` entry names it
 * exactly (`config.get`, not `config.*` or `*`), and an explicit `deny` still wins.
 * So `allow: ["*"]` never grants them, and a method the gateway adds to one of these
 * families later stays denied until someone names it.
 */
export const DEFAULT_DENY_PATTERNS: readonly string[] = [
  "config.*",
  "exec.approvals.*",
  "wizard.*",
  "update.*",
  "device.*",
  "node.pair.*",
];

const COMPILED = DEFAULT_DENY_PATTERNS.map(compilePattern);

/** The built-in deny pattern covering `method`, if any. */
export function defaultDenyPatternOf(method: string): string | undefined {
  return COMPILED.find((pattern) => pattern.matches(method))?.source;
}

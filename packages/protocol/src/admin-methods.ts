/**
 * Gateway methods that a delegated client must not reach by accident: the relay's
 * default-deny families and the set an agent never reaches through a raw call.
 *
 * Patterns are either an exact method name (`exec.approval.resolve`) or a family
 * `<prefix>.*`, which matches every method whose name starts with `<prefix>.`
 * (`device.*` covers `device.pair.approve`; `*` spans dots). Nothing else is a wildcard.
 */

/**
 * Method families a relay client never reaches through a wildcard allow entry:
 * gateway configuration, exec-approval policy, setup wizards, updates, device
 * management and node pairing (seed design §6 Relay.3). Each lets one client change
 * what every other client of the gateway may do. The relay opens one only when an
 * `allow` entry names the method exactly.
 */
export const DEFAULT_DENY_PATTERNS: readonly string[] = [
  "config.*",
  "exec.approvals.*",
  "wizard.*",
  "update.*",
  "device.*",
  "node.pair.*",
];

/**
 * Methods that decide something a human must decide: resolving exec, plugin and
 * generic approvals, revoking standing exec grants, granting board widgets, approving
 * or dismissing channel pairings, answering questions put to the user. Pairing
 * approvals of devices and nodes are already in {@link DEFAULT_DENY_PATTERNS}.
 * Names from the method catalogue (`method-catalogue.generated.ts`).
 */
export const APPROVAL_DECISION_METHODS: readonly string[] = [
  "approval.resolve",
  "exec.approval.resolve",
  "exec.approval.grants.revoke",
  "plugin.approval.resolve",
  "board.widget.grant",
  "channels.pairing.approve",
  "channels.pairing.dismiss",
  "question.resolve",
];

/**
 * What an agent never reaches through a raw call, whatever its profile enables:
 * the relay's default-deny families, the approval decisions, and `secrets.*`
 * (which reveal or replace the gateway's own secrets).
 */
export const AGENT_DENY_PATTERNS: readonly string[] = [...DEFAULT_DENY_PATTERNS, ...APPROVAL_DECISION_METHODS, "secrets.*"];

/** Whether `method` matches `pattern` (an exact name or a `<prefix>.*` family, see the module doc). */
export function methodPatternMatches(pattern: string, method: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith(".*")) return method.startsWith(pattern.slice(0, -1));
  return method === pattern;
}

/** The first of `patterns` that matches `method`, if any. */
export function matchingMethodPattern(patterns: readonly string[], method: string): string | undefined {
  return patterns.find((pattern) => methodPatternMatches(pattern, method));
}

/** The relay's built-in deny pattern covering `method` ({@link DEFAULT_DENY_PATTERNS}), if any. */
export function defaultDenyPatternOf(method: string): string | undefined {
  return matchingMethodPattern(DEFAULT_DENY_PATTERNS, method);
}

/** The pattern of {@link AGENT_DENY_PATTERNS} covering `method`, if any. */
export function agentDenyPatternOf(method: string): string | undefined {
  return matchingMethodPattern(AGENT_DENY_PATTERNS, method);
}

/**
 * Request `env` keys a node passes to a `system.run` child (skills-approvals-relay
 * §2.4 item 6): terminal and locale settings only. `PATH` overrides and
 * interpreter-startup variables (`NODE_OPTIONS`, `LD_*`, `DYLD_*`, `BASH_ENV`, …) are
 * dropped, so a request cannot change which binary runs or inject code into it.
 */
export function isSafeRequestEnvKey(key: string): boolean {
  return (
    key === "TERM" ||
    key === "LANG" ||
    key === "COLORTERM" ||
    key === "NO_COLOR" ||
    key === "FORCE_COLOR" ||
    /^LC_[A-Z_]+$/.test(key)
  );
}

/**
 * The child environment: the node's own environment plus only the safe keys of the
 * request's `env` (string values only).
 *
 * @param nodeEnv - the node process's environment
 * @param requestEnv - `params.env` from the invoke request (untrusted)
 */
export function buildChildEnv(nodeEnv: NodeJS.ProcessEnv, requestEnv: unknown): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...nodeEnv };
  if (typeof requestEnv === "object" && requestEnv !== null && !Array.isArray(requestEnv)) {
    for (const [key, value] of Object.entries(requestEnv as Record<string, unknown>)) {
      if (typeof value === "string" && isSafeRequestEnvKey(key)) env[key] = value;
    }
  }
  return env;
}

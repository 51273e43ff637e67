/**
 * Whether a profile's scope ceiling (`scopes` in remotes.json) covers `scope`, with
 * OpenClaw's implication rules: `operator.admin` covers every operator scope,
 * `operator.write` covers `operator.read`, `operator.talk` and the session scopes,
 * `operator.read` or `operator.sessions.write` cover `operator.sessions.read`.
 *
 * A copy of `scopeSatisfied` of `@clawbridge/protocol`, because this package's library
 * surface (loaded by `clawbridge skill install`) imports nothing; a test checks the two
 * agree on every pair of known scopes.
 */
export function ceilingCovers(ceiling: readonly string[], scope: string): boolean {
  if (!scope.startsWith("operator.")) return false;
  if (ceiling.includes(scope) || ceiling.includes("operator.admin")) return true;
  const viaWrite = ["operator.read", "operator.talk", "operator.sessions.read", "operator.sessions.write"];
  if (viaWrite.includes(scope) && ceiling.includes("operator.write")) return true;
  return scope === "operator.sessions.read" && (ceiling.includes("operator.read") || ceiling.includes("operator.sessions.write"));
}

import { usageError } from "@clawbridge/cli-contract";

/**
 * Parses `--scopes a,b` (commas and/or spaces) into a de-duplicated list of operator
 * scopes, e.g. `operator.read,operator.write`.
 */
export function parseScopeList(raw: string, flag = "--scopes"): string[] {
  const scopes = [...new Set(raw.split(/[\s,]+/).filter((scope) => scope !== ""))];
  if (scopes.length === 0) throw usageError("INVALID_SCOPES", `${flag} needs at least one scope, e.g. ${flag} operator.read`);
  const bad = scopes.find((scope) => !/^operator\.[a-z.]+$/.test(scope));
  if (bad !== undefined) {
    throw usageError("INVALID_SCOPES", `${flag}: ${JSON.stringify(bad)} is not an operator scope (operator.read, operator.write, operator.admin, …)`);
  }
  return scopes;
}

import { leastPrivilegeScopes, OperatorScopes, scopeSatisfied } from "@clawbridge/protocol";
import { ScopeCeilingError } from "./errors.js";

/** A method the client intends to call, optionally with the params that decide a dynamic scope. */
export type IntendedMethod = string | { readonly method: string; readonly params?: unknown };

/** Deduplicates while keeping first-seen order (the order is signed into the device proof). */
function unique(scopes: Iterable<string>): string[] {
  return [...new Set(scopes)];
}

/**
 * Least-privilege scopes for a set of methods: the union of `leastPrivilegeScopes` of
 * each (dynamic rules applied to the given params; unknown methods get OpenClaw's
 * unclassified set).
 */
export function scopesForMethods(methods: readonly IntendedMethod[]): string[] {
  return unique(
    methods.flatMap((entry) =>
      typeof entry === "string" ? leastPrivilegeScopes(entry) : leastPrivilegeScopes(entry.method, entry.params),
    ),
  );
}

/** Requested scopes the ceiling does not cover (with OpenClaw's implication rules: admin covers all, write covers read). */
export function scopesBeyondCeiling(requested: readonly string[], ceiling: readonly string[]): string[] {
  return requested.filter((scope) => !scopeSatisfied(ceiling, scope));
}

/** Throws {@link ScopeCeilingError} when `requested` exceeds `ceiling` (no-op without a ceiling). */
export function assertWithinCeiling(
  requested: readonly string[],
  ceiling: readonly string[] | undefined,
  method?: string,
): void {
  if (ceiling === undefined) return;
  const excess = scopesBeyondCeiling(requested, ceiling);
  if (excess.length > 0) throw new ScopeCeilingError(requested, ceiling, excess, method);
}

/** What a long-lived client requests when nothing narrower is known. */
export const DEFAULT_LONG_LIVED_SCOPES: readonly string[] = [OperatorScopes.READ];

/** Inputs of {@link resolveRequestedScopes}, most specific first. */
export interface ScopeInputs {
  /** Explicit override. */
  readonly scopes?: readonly string[] | undefined;
  /** Methods the client will call (least privilege is derived from them). */
  readonly methods?: readonly IntendedMethod[] | undefined;
  /** Scopes of a stored device token being reused. */
  readonly storedTokenScopes?: readonly string[] | undefined;
}

/**
 * Scopes to request on `connect`: explicit `scopes` > least privilege of `methods` >
 * the stored device token's scopes > `["operator.read"]`. (OpenClaw's library default
 * is `operator.admin`; we never ask for admin unless told to.)
 */
export function resolveRequestedScopes(inputs: ScopeInputs): string[] {
  if (inputs.scopes !== undefined) return unique(inputs.scopes);
  if (inputs.methods !== undefined && inputs.methods.length > 0) return scopesForMethods(inputs.methods);
  if (inputs.storedTokenScopes !== undefined && inputs.storedTokenScopes.length > 0) return unique(inputs.storedTokenScopes);
  return [...DEFAULT_LONG_LIVED_SCOPES];
}

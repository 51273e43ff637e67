import { DYNAMIC_SCOPE_METHODS, METHOD_CATALOGUE, requiredScopesFor } from "@clawbridge/protocol";

/** What a method needs, as `methods` and `describe` print it. */
export interface MethodScopeInfo {
  readonly method: string;
  /** Who may call it: `operator`, `node` (node role only) or `any` (`health`). */
  readonly role: "operator" | "node" | "any";
  /**
   * The catalogue's class: an operator scope, `dynamic` (depends on params), `node`,
   * `any`, or `unclassified` (not in the catalogue: the gateway then requires `operator.admin`).
   */
  readonly scope: string;
  /** Operator scopes required for these params (all of them). */
  readonly requiredScopes: readonly string[];
  /** Whether the method is in the catalogue. */
  readonly known: boolean;
  /** The catalogue's `since`, when known. */
  readonly since: string | undefined;
}

/** The requirement of `method` (called with `params`, for dynamic methods), from the protocol's catalogue and scope rules. */
export function methodScopeInfo(method: string, params?: unknown): MethodScopeInfo {
  const requirement = requiredScopesFor(method, params);
  let scope: string;
  if (requirement.role === "any") scope = "any";
  else if (!requirement.known) scope = "unclassified";
  else if (DYNAMIC_SCOPE_METHODS.has(method)) scope = "dynamic";
  else if (requirement.role === "node") scope = "node";
  else scope = requirement.scopes.join(" + ");
  const entry = Object.hasOwn(METHOD_CATALOGUE, method) ? METHOD_CATALOGUE[method as keyof typeof METHOD_CATALOGUE] : undefined;
  return {
    method,
    role: requirement.role,
    scope,
    requiredScopes: requirement.scopes,
    known: requirement.known,
    since: entry?.since,
  };
}

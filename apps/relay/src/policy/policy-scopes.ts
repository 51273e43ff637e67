import { DYNAMIC_SCOPE_METHODS, METHOD_CATALOGUE, OperatorScopes, requiredScopesFor, scopeSatisfied } from "@clawbridge/protocol";

/** Canonical order of scopes in what the relay reports and requests. */
const ORDER: readonly string[] = Object.values(OperatorScopes);

/** Every method name the official catalogue knows. */
export const CATALOGUE_METHODS: readonly string[] = Object.keys(METHOD_CATALOGUE);

function sortScopes(scopes: Iterable<string>): string[] {
  return [...new Set(scopes)].sort((a, b) => {
    const ia = ORDER.indexOf(a);
    const ib = ORDER.indexOf(b);
    return (ia === -1 ? ORDER.length : ia) - (ib === -1 ? ORDER.length : ib) || a.localeCompare(b);
  });
}

/**
 * The operator scopes one call of `method` needs at least, or `[]` when none is known
 * (node-role methods, methods outside the catalogue). For methods whose scope depends
 * on params the least demanding variant counts (e.g. `node.invoke` → write; its admin
 * commands are the upstream's business to refuse).
 */
export function baseScopesOf(method: string): string[] {
  if (!Object.hasOwn(METHOD_CATALOGUE, method) && !DYNAMIC_SCOPE_METHODS.has(method)) return [];
  const requirement = requiredScopesFor(method, {});
  if (requirement.role !== "operator") return requirement.role === "any" ? [OperatorScopes.READ] : [];
  if (!DYNAMIC_SCOPE_METHODS.has(method)) return requirement.scopes;
  const withoutAdmin = requirement.scopes.filter((scope) => scope !== OperatorScopes.ADMIN);
  return withoutAdmin.length > 0 ? withoutAdmin : [OperatorScopes.WRITE];
}

/** Least-privilege union of {@link baseScopesOf} over `methods`, in canonical order. */
export function minimalScopesFor(methods: Iterable<string>): string[] {
  const scopes = new Set<string>();
  for (const method of methods) for (const scope of baseScopesOf(method)) scopes.add(scope);
  return sortScopes(scopes);
}

/** The scopes of `wanted` that `granted` satisfies (implication rules: admin covers all, write covers read). */
export function capScopes(wanted: readonly string[], granted: readonly string[]): string[] {
  return wanted.filter((scope) => scopeSatisfied(granted, scope));
}

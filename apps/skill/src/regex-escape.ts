/**
 * `text` with every ECMAScript regex syntax character escaped, for embedding a literal.
 * Only `^$\.*+?()[]{}|` are escaped: those escapes are valid with and without the `u`
 * flag, so the result works whichever way a consumer compiles it.
 */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A compiled name pattern: `*` matches any run of characters (dots included, so
 * `node.*` covers `node.pair.approve`), `?` one character, everything else itself.
 * Hand-written rather than a path glob library because method names are dotted, not
 * slash-separated paths, and path globs give `*` and `.` meanings we do not want.
 */
export interface NamePattern {
  /** The pattern as written. */
  readonly source: string;
  /** True when the pattern has no wildcard: it names exactly one thing. */
  readonly exact: boolean;
  matches(name: string): boolean;
}

/** Compiles one pattern (see {@link NamePattern}). */
export function compilePattern(source: string): NamePattern {
  const exact = !/[*?]/.test(source);
  if (exact) return { source, exact, matches: (name) => name === source };
  const body = source.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  const regex = new RegExp(`^${body}$`, "s");
  return { source, exact, matches: (name) => regex.test(name) };
}

/** A list of patterns; {@link firstMatch} returns the first one that matches. */
export class PatternList {
  readonly patterns: readonly NamePattern[];
  readonly #exact: Set<string>;

  constructor(sources: readonly string[]) {
    this.patterns = sources.map(compilePattern);
    this.#exact = new Set(this.patterns.filter((pattern) => pattern.exact).map((pattern) => pattern.source));
  }

  /** True when some pattern names `name` exactly (no wildcard). */
  namesExactly(name: string): boolean {
    return this.#exact.has(name);
  }

  /** The first pattern matching `name`, exact ones first. */
  firstMatch(name: string): NamePattern | undefined {
    if (this.#exact.has(name)) return this.patterns.find((pattern) => pattern.source === name);
    return this.patterns.find((pattern) => pattern.matches(name));
  }

  /** True when any pattern matches. */
  matches(name: string): boolean {
    return this.#exact.has(name) || this.patterns.some((pattern) => pattern.matches(name));
  }
}

/** What a redacted secret is replaced with. */
export const REDACTED = "[REDACTED]";

/**
 * Secrets shorter than this (characters) are not searched for: replacing a 1–2
 * character string everywhere would shred every message, and no secret we handle is
 * that short in practice.
 */
const MIN_SECRET_LENGTH = 3;

/** Depth limit when walking error causes and detail objects (cycles, huge graphs). */
const MAX_DEPTH = 6;

/**
 * Knows the secret values in play (token, password, device tokens, resolved profile
 * secrets) and scrubs them from strings, plain values and errors. A second line of
 * defence: the client never *puts* secrets into messages, but a gateway's error text,
 * a close reason, a library's error or a log field might echo one.
 */
export class SecretRedactor {
  readonly #secrets = new Set<string>();
  /** The secrets, longest first (so a secret that contains another is replaced whole); rebuilt on `add`. */
  #ordered: readonly string[] = [];

  /** Registers a secret (ignored when empty or shorter than 3 characters). Also covers its URI- and JSON-escaped forms. */
  add(secret: string | undefined | null): void {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) return;
    this.#secrets.add(secret);
    this.#secrets.add(encodeURIComponent(secret));
    this.#secrets.add(JSON.stringify(secret).slice(1, -1));
    this.#ordered = [...this.#secrets].sort((a, b) => b.length - a.length);
  }

  /** Whether any secret is registered. */
  get size(): number {
    return this.#secrets.size;
  }

  /** `text` with every registered secret replaced by `[REDACTED]`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#ordered) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  /**
   * `JSON.stringify(value, null, indent)` with secrets redacted from every string and
   * object key, at any depth. Numbers, booleans and the document's shape are never
   * touched, so the result is always the JSON of the same data (redacting the finished
   * text instead would turn `"everyMs": 1800000` into invalid JSON for a secret `1800`).
   */
  stringify(value: unknown, indent?: number): string {
    if (this.#secrets.size === 0) return JSON.stringify(value, null, indent);
    return JSON.stringify(
      value,
      (_key, item: unknown) => {
        if (typeof item === "string") return this.redact(item);
        if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
        const keys = Object.keys(item);
        if (keys.every((key) => this.redact(key) === key)) return item;
        return Object.fromEntries(keys.map((key) => [this.redact(key), (item as Record<string, unknown>)[key]]));
      },
      indent,
    );
  }

  /** A deep copy of a plain value with secrets redacted from every string (keys included). */
  redactValue(value: unknown, depth = 0): unknown {
    if (typeof value === "string") return this.redact(value);
    if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item, depth + 1));
    if (value instanceof Error) return this.scrubError(value, depth + 1);
    const proto: unknown = Object.getPrototypeOf(value);
    // Class instances (sockets, buffers, certificates) are left alone: copying them would lose their identity.
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[this.redact(key)] = this.redactValue(item, depth + 1);
    return out;
  }

  /**
   * Scrubs an error in place: message, stack, every own string property and detail
   * object, recursively through `cause`. Returns the same error (so `throw
   * redactor.scrubError(e)` keeps its class).
   */
  scrubError<E>(error: E, depth = 0): E {
    if (this.#secrets.size === 0 || error === null || typeof error !== "object" || depth > MAX_DEPTH) return error;
    const target = error as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(target)) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      if (descriptor === undefined || !("value" in descriptor)) continue;
      if (!descriptor.configurable && !descriptor.writable) continue;
      const current: unknown = descriptor.value;
      const next = key === "cause" ? this.scrubError(current, depth + 1) : this.redactValue(current, depth + 1);
      if (next !== current) {
        // Fields are `readonly` in TypeScript only; redefine keeps enumerability as it was.
        if (descriptor.configurable) Object.defineProperty(target, key, { ...descriptor, value: next });
        else target[key] = next;
      }
    }
    return error;
  }
}

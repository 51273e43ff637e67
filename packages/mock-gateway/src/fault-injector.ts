import type { ErrorShape } from "@clawbridge/protocol";

/** What to do to requests of one method. Several effects combine (delay first). */
export interface FaultRule {
  /** Wait this long (ms) before handling. */
  readonly delayMs?: number | undefined;
  /** Answer this error instead of running the handler. */
  readonly error?: ErrorShape | undefined;
  /** Never answer (the request hangs until the socket closes). */
  readonly drop?: boolean | undefined;
  /** Close the caller's socket with this code and reason instead of answering. */
  readonly close?: { readonly code: number; readonly reason?: string | undefined } | undefined;
  /** Apply to this many requests, then remove the rule. Default: until cleared. */
  readonly times?: number | undefined;
}

/**
 * Per-method fault rules for a {@link MockGateway}, plus a whole-gateway stall (no
 * ticks, no answers). The gateway consults {@link take} for each request.
 */
export class FaultInjector {
  readonly #rules = new Map<string, { rule: FaultRule; left: number }>();
  #stalled = false;
  readonly #onStall: (stalled: boolean) => void;

  /** @param onStall - called when the stall state changes (the gateway stops/starts ticks) */
  constructor(onStall: (stalled: boolean) => void) {
    this.#onStall = onStall;
  }

  /** Installs (replaces) the rule of `method`. */
  set(method: string, rule: FaultRule): void {
    this.#rules.set(method, { rule, left: rule.times ?? Number.POSITIVE_INFINITY });
  }

  /** Removes the rule of `method`, or every rule and the stall. */
  clear(method?: string): void {
    if (method !== undefined) {
      this.#rules.delete(method);
      return;
    }
    this.#rules.clear();
    this.stall(false);
  }

  /** Stops ticks and answers (true) or resumes them (false). */
  stall(stalled = true): void {
    if (this.#stalled === stalled) return;
    this.#stalled = stalled;
    this.#onStall(stalled);
  }

  get stalled(): boolean {
    return this.#stalled;
  }

  /** The rule to apply to one request of `method` (consuming one of its `times`). */
  take(method: string): FaultRule | undefined {
    const entry = this.#rules.get(method);
    if (entry === undefined) return undefined;
    entry.left -= 1;
    if (entry.left <= 0) this.#rules.delete(method);
    return entry.rule;
  }
}

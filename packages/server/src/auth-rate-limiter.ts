import { isLoopbackAddress } from "./request-locality.js";

/** Options of {@link AuthRateLimiter}; defaults are OpenClaw 2026.9.6's (`src/gateway/auth-rate-limit.ts`). */
export interface AuthRateLimitOptions {
  /** Failures per window before a non-loopback client is locked out. Default 10. */
  readonly maxAttempts?: number | undefined;
  /** Sliding window (ms). Default 60 000. */
  readonly windowMs?: number | undefined;
  /** Lockout after too many failures (ms). Default 300 000. */
  readonly lockoutMs?: number | undefined;
  /** Loopback clients are never locked out, only slowed down. Default true. */
  readonly exemptLoopback?: boolean | undefined;
  /** First loopback failure delay (ms); doubles per failure in the window. Default 250. */
  readonly loopbackDelayBaseMs?: number | undefined;
  /** Largest loopback failure delay (ms). Default 5 000. */
  readonly loopbackDelayMaxMs?: number | undefined;
  /** Clock (ms). Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/** Verdict of {@link AuthRateLimiter.check}. */
export interface RateLimitVerdict {
  readonly allowed: boolean;
  /** How long the lockout still lasts (ms); 0 when allowed. */
  readonly retryAfterMs: number;
}

interface Entry {
  attempts: number[];
  lockedUntil: number | undefined;
}

/** Entries kept at most, so a flood of addresses cannot grow memory without bound. */
const MAX_ENTRIES = 10_000;

/**
 * OpenClaw's in-memory auth failure limiter, keyed by `{scope, client IP}`: a non-loopback
 * client with `maxAttempts` failures inside `windowMs` is locked out for `lockoutMs` (then
 * answered `AUTH_RATE_LIMITED`, retryable, with `retryAfterMs`, even with the right secret);
 * a loopback client is never locked out but each failure is answered only after an escalating
 * delay (250, 500, 1 000 … 5 000 ms) — why a wrong token takes ~250 ms on a real local gateway.
 * A success resets the key.
 */
export class AuthRateLimiter {
  readonly #entries = new Map<string, Entry>();
  readonly #maxAttempts: number;
  readonly #windowMs: number;
  readonly #lockoutMs: number;
  readonly #exemptLoopback: boolean;
  readonly #delayBaseMs: number;
  readonly #delayMaxMs: number;
  readonly #now: () => number;
  /** Loopback failures remembered: enough to reach the largest delay. */
  readonly #loopbackHistory: number;

  constructor(options: AuthRateLimitOptions = {}) {
    this.#maxAttempts = options.maxAttempts ?? 10;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#lockoutMs = options.lockoutMs ?? 300_000;
    this.#exemptLoopback = options.exemptLoopback ?? true;
    this.#delayBaseMs = options.loopbackDelayBaseMs ?? 250;
    this.#delayMaxMs = options.loopbackDelayMaxMs ?? 5_000;
    this.#now = options.now ?? Date.now;
    this.#loopbackHistory = Math.ceil(Math.log2(Math.max(1, this.#delayMaxMs / Math.max(1, this.#delayBaseMs)))) + 1;
  }

  #key(ip: string | undefined, scope: string): string {
    return `${scope}:${ip ?? "unknown"}`;
  }

  #exempt(ip: string | undefined): boolean {
    return this.#exemptLoopback && isLoopbackAddress(ip);
  }

  #refresh(entry: Entry, now: number): void {
    if (entry.lockedUntil !== undefined && now >= entry.lockedUntil) {
      entry.lockedUntil = undefined;
      entry.attempts = [];
    }
    entry.attempts = entry.attempts.filter((at) => at > now - this.#windowMs);
  }

  /** Whether `ip` may try to authenticate in `scope` now. */
  check(ip: string | undefined, scope = "shared-secret"): RateLimitVerdict {
    if (this.#exempt(ip)) return { allowed: true, retryAfterMs: 0 };
    const entry = this.#entries.get(this.#key(ip, scope));
    if (entry === undefined) return { allowed: true, retryAfterMs: 0 };
    const now = this.#now();
    this.#refresh(entry, now);
    if (entry.lockedUntil === undefined && entry.attempts.length >= this.#maxAttempts) entry.lockedUntil = now + this.#lockoutMs;
    if (entry.lockedUntil !== undefined && now < entry.lockedUntil) return { allowed: false, retryAfterMs: entry.lockedUntil - now };
    return { allowed: true, retryAfterMs: 0 };
  }

  /**
   * Records one failure and returns how long (ms) the answer should be held back: the
   * escalating loopback delay, or 0 for other clients (they are locked out instead).
   */
  recordFailure(ip: string | undefined, scope = "shared-secret"): number {
    const key = this.#key(ip, scope);
    const now = this.#now();
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      if (this.#entries.size >= MAX_ENTRIES) this.#prune(now);
      entry = { attempts: [], lockedUntil: undefined };
      this.#entries.set(key, entry);
    }
    const exempt = this.#exempt(ip);
    if (!exempt && entry.lockedUntil !== undefined && now < entry.lockedUntil) return 0;
    this.#refresh(entry, now);
    entry.attempts.push(now);
    if (exempt) {
      if (entry.attempts.length > this.#loopbackHistory) entry.attempts.splice(0, entry.attempts.length - this.#loopbackHistory);
      return Math.min(this.#delayBaseMs * 2 ** Math.min(entry.attempts.length - 1, 30), this.#delayMaxMs);
    }
    if (entry.attempts.length >= this.#maxAttempts) entry.lockedUntil = now + this.#lockoutMs;
    return 0;
  }

  /** Forgets the failures of `ip` in `scope` (after a success). */
  reset(ip: string | undefined, scope = "shared-secret"): void {
    this.#entries.delete(this.#key(ip, scope));
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.lockedUntil !== undefined && now < entry.lockedUntil) continue;
      this.#refresh(entry, now);
      if (entry.attempts.length === 0) this.#entries.delete(key);
    }
    // Still full: drop the oldest unlocked entry rather than refuse to count.
    if (this.#entries.size >= MAX_ENTRIES) {
      for (const [key, entry] of this.#entries) {
        if (entry.lockedUntil === undefined || now >= entry.lockedUntil) {
          this.#entries.delete(key);
          return;
        }
      }
    }
  }
}

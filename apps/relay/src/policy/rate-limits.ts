import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimitConfig } from "../config/relay-config.js";
import type { ClientPolicy } from "./client-policy.js";
import type { PolicyDenial } from "./policy-denial.js";

function windowOf(limit: RateLimitConfig): { points: number; duration: number; text: string } {
  if (limit.perSecond !== undefined) return { points: limit.perSecond, duration: 1, text: `${limit.perSecond} per 1s` };
  const points = limit.perMinute ?? 1;
  return { points, duration: 60, text: `${points} per 60s` };
}

/**
 * In-memory rate limiting per client and per client+method (`rate-limiter-flexible`,
 * fixed windows). Limiters are cached by client, limit key and window, so a policy
 * reload that leaves a limit unchanged keeps its counters, and one that changes it
 * starts fresh. State is per replica: N replicas allow up to N× a limit (documented).
 */
export class RateLimits {
  readonly #limiters = new Map<string, RateLimiterMemory>();

  #limiter(cacheKey: string, limit: RateLimitConfig): RateLimiterMemory {
    const { points, duration } = windowOf(limit);
    const key = `${cacheKey}\u0000${points}\u0000${duration}`;
    let limiter = this.#limiters.get(key);
    if (limiter === undefined) {
      limiter = new RateLimiterMemory({ points, duration });
      this.#limiters.set(key, limiter);
    }
    return limiter;
  }

  /**
   * Consumes one request of `method` for `policy`'s client; resolves with the denial
   * (rule `rateLimit`, `retryAfterMs`) when a limit is exhausted. Returns `undefined`
   * at once (no promise) when no limit applies.
   */
  consume(policy: ClientPolicy, method: string): Promise<PolicyDenial | undefined> | undefined {
    const clientLimit = policy.limits.rateLimit;
    const methodLimit = policy.methodRateLimit(method);
    // No limit applies: answer without a promise, this is the hot path of most requests.
    if (clientLimit === undefined && methodLimit === undefined) return undefined;
    return this.#consume(policy, method, clientLimit, methodLimit);
  }

  async #consume(
    policy: ClientPolicy,
    method: string,
    clientLimit: RateLimitConfig | undefined,
    methodLimit: ReturnType<ClientPolicy["methodRateLimit"]>,
  ): Promise<PolicyDenial | undefined> {
    if (clientLimit !== undefined) {
      const denial = await this.#take(this.#limiter(`client\u0000${policy.id}`, clientLimit), policy.id, clientLimit, {
        scope: "client",
        method,
      });
      if (denial !== undefined) return denial;
    }
    if (methodLimit !== undefined) {
      const limiter = this.#limiter(`method\u0000${policy.id}\u0000${methodLimit.key}`, methodLimit.limit);
      return this.#take(limiter, method, methodLimit.limit, { scope: "method", method, pattern: methodLimit.key });
    }
    return undefined;
  }

  /** Forgets every counter (tests). */
  clear(): void {
    this.#limiters.clear();
  }

  async #take(
    limiter: RateLimiterMemory,
    key: string,
    limit: RateLimitConfig,
    details: Record<string, unknown>,
  ): Promise<PolicyDenial | undefined> {
    try {
      await limiter.consume(key);
      return undefined;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterMs = Math.max(1, Math.ceil(rejection.msBeforeNext));
      const { text } = windowOf(limit);
      return {
        rule: "rateLimit",
        message: `relay policy: rate limit exceeded for ${details["scope"] === "client" ? "this client" : String(details["method"])} (${text}); retry after ${retryAfterMs} ms`,
        details: { ...details, limit: text },
        retryAfterMs,
      };
    }
  }
}

/**
 * Reconnect backoff: exponential with jitter.
 *
 * OpenClaw's reference client uses the same curve (1 s, ×2, max 30 s) with **no**
 * jitter. We add jitter on purpose: in clawbridge many worker-node processes (WN1s, a
 * relay's pool) hold connections to one remote gateway; when that gateway restarts
 * they all lose their socket in the same millisecond, and without jitter they would
 * reconnect in lock-step waves (1 s, 2 s, 4 s …) that hit its auth rate limiter and
 * pre-auth handshake queue together. "Equal jitter" keeps at least half the base delay
 * (so the curve still backs off) and spreads the rest uniformly.
 */
export interface BackoffPolicy {
  /** First delay (ms). Default 1000. */
  readonly initialMs: number;
  /** Growth factor per attempt. Default 2. */
  readonly multiplier: number;
  /** Cap of the base delay (ms). Default 30000. */
  readonly maxMs: number;
  /** Fraction of the base delay that is randomised, 0..1. Default 0.5 ("equal jitter"). */
  readonly jitter: number;
}

/** The defaults described on {@link BackoffPolicy}. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, multiplier: 2, maxMs: 30_000, jitter: 0.5 };

/**
 * Delay before reconnect attempt `attempt` (0-based): `base = min(maxMs, initialMs ×
 * multiplier^attempt)`, minus up to `jitter × base` at random; never below `floorMs`
 * (a retryable error's `retryAfterMs` is a floor, as in OpenClaw).
 *
 * @param attempt - failed attempts so far (0 for the first retry)
 * @param policy - curve (see {@link BackoffPolicy})
 * @param floorMs - lower bound (ms), e.g. `retryAfterMs`; default 0
 * @param random - uniform [0,1) source (injectable for tests); default `Math.random`
 * @returns delay in ms
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  floorMs = 0,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** Math.max(0, attempt));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  const delay = base - base * jitter * random();
  return Math.max(floorMs, Math.round(delay));
}

/** Inputs of {@link startTickWatchdog}. */
export interface TickWatchdogOptions {
  /** `hello-ok.policy.tickIntervalMs` (ms). Silence longer than twice this is a dead link. */
  readonly tickIntervalMs: number;
  /** `Date.now()` of the last inbound frame of any kind (ticks, events, responses). */
  readonly lastFrameAtMs: () => number;
  /**
   * True to skip a check: OpenClaw skips it while requests are pending and *all* of them
   * have finite deadlines (they own their failure). With nothing pending, or with an
   * unbounded request (e.g. `expectFinal` agent runs), the watchdog guards the link.
   */
  readonly skip: () => boolean;
  /** Called once when the link is judged dead; the owner closes 4000 `tick timeout`. */
  readonly onTimeout: (silenceMs: number) => void;
}

/** Shortest check period (ms), so a tiny advertised interval cannot spin the event loop. */
const MIN_CHECK_MS = 25;

/**
 * The reference client's tick watchdog: every `tickIntervalMs` (OpenClaw floors this at
 * 1 s; we floor at 25 ms so tests can use short intervals), if not skipped and the link
 * has been silent for more than `2 × tickIntervalMs`, report a timeout. The timer is
 * `unref`'d: it never keeps a process alive on its own.
 *
 * @returns stop function (idempotent)
 */
export function startTickWatchdog(options: TickWatchdogOptions): () => void {
  const limitMs = 2 * options.tickIntervalMs;
  let fired = false;
  const timer = setInterval(() => {
    if (fired || options.skip()) return;
    const silenceMs = Date.now() - options.lastFrameAtMs();
    if (silenceMs > limitMs) {
      fired = true;
      clearInterval(timer);
      options.onTimeout(silenceMs);
    }
  }, Math.max(MIN_CHECK_MS, options.tickIntervalMs));
  timer.unref();
  return () => clearInterval(timer);
}

import { InterruptedError } from "./cli-error.js";
import type { InterruptSignal } from "./cli-error.js";

/** How long an interrupted command may take to settle (close its socket, say whether its request was sent). */
const INTERRUPT_GRACE_MS = 1_000;

/** SIGINT/SIGTERM while a command runs: see {@link watchInterrupts}. */
export interface InterruptWatch {
  /** Aborted on the first SIGINT/SIGTERM; pass it to requests. */
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  readonly received: InterruptSignal | undefined;
  /** `body`, or `InterruptedError(signal, false)` when it has not settled within the grace period after a signal. */
  race<T>(body: Promise<T>): Promise<T>;
  /** Removes the handlers (the default action, ending the process, applies again). */
  dispose(): void;
}

/**
 * Turns SIGINT/SIGTERM into an abort of the running command instead of the end of the
 * process, so a bin (`clawbridge`, `remote-gateway`) can still print its one
 * `interrupted` envelope (exit 130 / 143). Listeners only: nothing is loaded.
 */
export function watchInterrupts(): InterruptWatch {
  const controller = new AbortController();
  let received: InterruptSignal | undefined;
  let grace: ReturnType<typeof setTimeout> | undefined;
  let onSignal: (signal: InterruptSignal) => void = () => undefined;
  // Settles only on a signal, and only if the body has not settled within the grace period.
  const interrupted = new Promise<never>((_, reject) => {
    onSignal = (signal) => {
      if (received !== undefined) return;
      received = signal;
      controller.abort(signal);
      grace = setTimeout(() => reject(new InterruptedError(signal, false)), INTERRUPT_GRACE_MS);
    };
  });
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    race: (body) => Promise.race([body, interrupted]),
    dispose() {
      clearTimeout(grace);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/** The failure to report for `error` once `signal` was received: `interrupted`, with whether the request was sent. */
export function interruptedFailure(signal: InterruptSignal, error: unknown): InterruptedError {
  if (error instanceof InterruptedError) return error;
  const requestSent = error !== null && typeof error === "object" && (error as { requestSent?: unknown }).requestSent === true;
  return new InterruptedError(signal, requestSent);
}

import { RequestAbortedError, RequestTimeoutError } from "@clawbridge/rpc-core";

/** A call waiting for a connection; it has not been written to any socket. */
export interface UnsentRequest {
  readonly method: string;
  readonly params: unknown;
  /** The caller's whole deadline (ms), or undefined for unbounded. */
  readonly timeoutMs: number | undefined;
  /** `Date.now()` at which the deadline expires, or undefined. */
  readonly deadlineAtMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface Entry<T extends UnsentRequest> {
  readonly request: T;
  timer: ReturnType<typeof setTimeout> | undefined;
  cleanupAbort: (() => void) | undefined;
}

/**
 * Requests made while the client is (re)connecting, trpc-style: an ordered queue of
 * *unsent* requests, separate from the peer's map of *pending* (written) ones. Each
 * keeps its own deadline and abort signal while queued; expiry rejects with
 * `RequestTimeoutError{requestSent:false}` and abort with `RequestAbortedError
 * {requestSent:false}`, so the caller knows the gateway never saw it. `drain()` hands
 * the survivors over (in call order) once a connection is open.
 */
export class UnsentQueue<T extends UnsentRequest = UnsentRequest> {
  readonly #entries: Entry<T>[] = [];

  /** Requests currently queued. */
  get size(): number {
    return this.#entries.length;
  }

  /** Queues a request and arms its deadline and abort hook. */
  enqueue(request: T): void {
    const entry: Entry<T> = { request, timer: undefined, cleanupAbort: undefined };
    this.#entries.push(entry);
    if (request.deadlineAtMs !== undefined && request.timeoutMs !== undefined) {
      const timeoutMs = request.timeoutMs;
      entry.timer = setTimeout(() => {
        if (this.#remove(entry)) request.reject(new RequestTimeoutError(request.method, timeoutMs, false));
      }, Math.max(0, request.deadlineAtMs - Date.now()));
    }
    const signal = request.signal;
    if (signal !== undefined) {
      const onAbort = (): void => {
        if (this.#remove(entry)) request.reject(new RequestAbortedError(request.method, false, signal.reason));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      entry.cleanupAbort = () => signal.removeEventListener("abort", onAbort);
    }
  }

  /** Removes and returns every queued request, oldest first, with their hooks disarmed. */
  drain(): T[] {
    const entries = this.#entries.splice(0);
    for (const entry of entries) this.#disarm(entry);
    return entries.map((entry) => entry.request);
  }

  /** Rejects every queued request with the error `makeError` builds for it. */
  rejectAll(makeError: (request: T) => unknown): void {
    for (const request of this.drain()) request.reject(makeError(request));
  }

  #remove(entry: Entry<T>): boolean {
    const index = this.#entries.indexOf(entry);
    if (index === -1) return false;
    this.#entries.splice(index, 1);
    this.#disarm(entry);
    return true;
  }

  #disarm(entry: Entry<T>): void {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.cleanupAbort?.();
    entry.timer = undefined;
    entry.cleanupAbort = undefined;
  }
}

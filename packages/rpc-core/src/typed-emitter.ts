/** A listener of one event type. */
export type Listener<T> = (value: T) => void;

/**
 * Called when a listener throws. Default: rethrow on a microtask, as a throwing
 * listener of a Node `EventEmitter` would surface — the emitter itself and the other
 * listeners have already run, so the owner's state stays consistent.
 */
export type ListenerErrorHandler = (error: unknown, event: string) => void;

const rethrowAsync: ListenerErrorHandler = (error) => {
  queueMicrotask(() => {
    throw error;
  });
};

/**
 * A tiny typed event emitter (no Node `EventEmitter`): `on` returns an unsubscribe
 * function; `emit` calls listeners in subscription order over a snapshot, so listeners
 * may (un)subscribe while it runs; a throwing listener never stops the others.
 *
 * @typeParam Events - map of event name to payload type
 */
export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Listener<never>[]>();
  readonly #onListenerError: ListenerErrorHandler;

  /** @param onListenerError - what to do with a listener's exception; default rethrows on a microtask */
  constructor(onListenerError: ListenerErrorHandler = rethrowAsync) {
    this.#onListenerError = onListenerError;
  }

  /** Subscribes; returns the unsubscribe function (idempotent). */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const current = this.#listeners.get(event) ?? [];
    // Copy-on-write keeps `emit`'s iteration stable without copying on every emit.
    this.#listeners.set(event, [...current, listener as Listener<never>]);
    return () => {
      const list = this.#listeners.get(event);
      if (list === undefined) return;
      const next = list.filter((entry) => entry !== listener);
      if (next.length === 0) this.#listeners.delete(event);
      else this.#listeners.set(event, next);
    };
  }

  /** Calls every listener of `event` with `value`. */
  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    const list = this.#listeners.get(event);
    if (list === undefined) return;
    for (const listener of list) {
      try {
        (listener as Listener<Events[K]>)(value);
      } catch (error) {
        this.#onListenerError(error, String(event));
      }
    }
  }

  /** Number of listeners of `event`. */
  listenerCount<K extends keyof Events>(event: K): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** Drops every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}

import { TypedEmitter } from "@clawbridge/rpc-core";
import type { ListenerErrorHandler, SequenceGap } from "@clawbridge/rpc-core";
import type { StateVersion } from "@clawbridge/protocol";

/** One server-pushed event as the client delivers it. */
export interface GatewayEvent {
  /** Event name, e.g. `tick`, `health`, `shutdown`. */
  readonly event: string;
  /** Event payload (open; validate what you use). */
  readonly payload: unknown;
  /** Per-connection sequence number of broadcast events (absent on direct events). */
  readonly seq: number | undefined;
  readonly stateVersion: StateVersion | undefined;
}

/** A `seq` gap: events were missed (never fatal; the later event is still delivered). */
export type EventGap = SequenceGap;

interface HubEvents {
  any: GatewayEvent;
  gap: EventGap;
}

/**
 * Subscription API for server events. Subscriptions live on the client, not on one
 * socket: they survive reconnects. `seq` numbering restarts with every connection
 * (the gateway counts per socket), so gaps are only reported within one connection.
 */
export class GatewayEventHub {
  readonly #any: TypedEmitter<HubEvents>;
  readonly #byName = new Map<string, TypedEmitter<{ event: GatewayEvent }>>();
  readonly #onListenerError: ListenerErrorHandler | undefined;

  /** @param onListenerError - what to do when a listener throws (default: rethrow on a microtask) */
  constructor(onListenerError?: ListenerErrorHandler) {
    this.#onListenerError = onListenerError;
    this.#any = new TypedEmitter<HubEvents>(onListenerError);
  }

  /** Subscribes to events named `event`. Returns the unsubscribe function. */
  on(event: string, listener: (event: GatewayEvent) => void): () => void {
    let emitter = this.#byName.get(event);
    if (emitter === undefined) {
      emitter = new TypedEmitter<{ event: GatewayEvent }>(this.#onListenerError);
      this.#byName.set(event, emitter);
    }
    const target = emitter;
    const off = target.on("event", listener);
    return () => {
      off();
      if (target.listenerCount("event") === 0 && this.#byName.get(event) === target) this.#byName.delete(event);
    };
  }

  /** Subscribes to every event. Returns the unsubscribe function. */
  onAny(listener: (event: GatewayEvent) => void): () => void {
    return this.#any.on("any", listener);
  }

  /** Subscribes to `seq` gaps `{expected, received, event}`. Returns the unsubscribe function. */
  onGap(listener: (gap: EventGap) => void): () => void {
    return this.#any.on("gap", listener);
  }

  /** Resolves with the next event named `event` (or rejects when `signal` aborts). */
  next(event: string, signal?: AbortSignal): Promise<GatewayEvent> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
        return;
      }
      const onAbort = (): void => {
        off();
        reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      };
      const off = this.on(event, (value) => {
        off();
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** @internal delivers one event */
  emit(event: GatewayEvent): void {
    this.#byName.get(event.event)?.emit("event", event);
    this.#any.emit("any", event);
  }

  /** @internal reports one gap */
  emitGap(gap: EventGap): void {
    this.#any.emit("gap", gap);
  }
}

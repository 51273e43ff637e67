import type { Transport, TransportCloseInfo } from "./transport.js";
import { TypedEmitter } from "./typed-emitter.js";

interface TransportEvents {
  message: string;
  close: TransportCloseInfo;
}

/**
 * Listener plumbing shared by transports, implementing the {@link Transport} contract:
 * messages that arrive before the first `onMessage` subscriber are buffered and
 * delivered to it in order (on a microtask); the close fires once, after every buffered
 * message, and is replayed to late `onClose` subscribers. Subclasses call
 * {@link deliver} for each inbound text and {@link finish} once when the link is gone.
 */
export abstract class BaseTransport implements Transport {
  readonly #events = new TypedEmitter<TransportEvents>();
  /** Messages held until the first message listener has drained them; undefined afterwards. */
  #backlog: string[] | undefined = [];
  #flushScheduled = false;
  #closeInfo: TransportCloseInfo | undefined;
  #closeEmitted = false;

  abstract send(text: string): void;
  abstract close(code?: number, reason?: string): void;
  abstract get isOpen(): boolean;
  abstract get bufferedAmount(): number;

  /** The close info once the link has closed, else undefined. */
  get closeInfo(): TransportCloseInfo | undefined {
    return this.#closeInfo;
  }

  onMessage(listener: (text: string) => void): () => void {
    const off = this.#events.on("message", listener);
    if (this.#backlog !== undefined && !this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
    return off;
  }

  onClose(listener: (info: TransportCloseInfo) => void): () => void {
    let active = true;
    const off = this.#events.on("close", listener);
    if (this.#closeEmitted && this.#closeInfo !== undefined) {
      const info = this.#closeInfo;
      queueMicrotask(() => {
        if (active) listener(info);
      });
    }
    return () => {
      active = false;
      off();
    };
  }

  /** Hands one inbound text message to the listeners (or the backlog). */
  protected deliver(text: string): void {
    if (this.#backlog !== undefined) {
      this.#backlog.push(text);
      return;
    }
    this.#events.emit("message", text);
  }

  /** Records the close (first call wins) and notifies close listeners after any backlog. */
  protected finish(info: TransportCloseInfo): void {
    if (this.#closeInfo !== undefined) return;
    this.#closeInfo = info;
    // With a drain pending, the close waits for it so it never overtakes a message.
    if (!this.#flushScheduled || this.#backlog === undefined) this.#emitClose();
  }

  #flush(): void {
    const backlog = this.#backlog ?? [];
    // A message delivered while draining is appended to `backlog` (still defined), and the
    // index loop picks it up, so order is kept.
    for (let i = 0; i < backlog.length; i += 1) this.#events.emit("message", backlog[i] as string);
    this.#backlog = undefined;
    if (this.#closeInfo !== undefined) this.#emitClose();
  }

  #emitClose(): void {
    if (this.#closeEmitted || this.#closeInfo === undefined) return;
    this.#closeEmitted = true;
    this.#events.emit("close", this.#closeInfo);
  }
}

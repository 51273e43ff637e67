import { truncateCloseReason } from "@clawbridge/protocol";
import { BaseTransport } from "./base-transport.js";
import { ConnectionClosedError } from "./errors.js";
import type { TransportCloseInfo } from "./transport.js";

/** "No status code" (RFC 6455 §7.4.1): what a side sees when the closer gave no code. */
const NO_STATUS = 1005;
/** Closed abnormally, no close frame (what `terminate()` produces). */
const ABNORMAL = 1006;

/** Shared state of one linked pair. */
interface Link {
  open: boolean;
}

/**
 * One end of an in-memory link (see {@link createInMemoryTransportPair}). Delivery is
 * asynchronous (one microtask per message) and ordered, like a socket; the close
 * reaches both ends after every message sent before it.
 */
export class InMemoryTransport extends BaseTransport {
  readonly #link: Link;
  #remote: InMemoryTransport | undefined;
  #buffered = 0;

  /** @internal use {@link createInMemoryTransportPair} */
  constructor(link: Link) {
    super();
    this.#link = link;
  }

  /** @internal */
  attach(remote: InMemoryTransport): void {
    this.#remote = remote;
  }

  get isOpen(): boolean {
    return this.#link.open;
  }

  /** UTF-16 code units sent but not yet delivered (an in-memory stand-in for bytes). */
  get bufferedAmount(): number {
    return this.#buffered;
  }

  send(text: string): void {
    const remote = this.#remote;
    if (!this.#link.open || remote === undefined) {
      const info = this.closeInfo;
      throw new ConnectionClosedError(info?.code ?? NO_STATUS, info?.reason ?? "");
    }
    const size = text.length;
    this.#buffered += size;
    queueMicrotask(() => {
      this.#buffered -= size;
      remote.deliver(text);
    });
  }

  /**
   * Closes both ends with the same code and reason, after the messages already sent.
   *
   * @param code - close code; omitted = 1005 (no status) on both ends
   * @param reason - close reason, truncated to 123 bytes of UTF-8; default ""
   */
  close(code?: number, reason = ""): void {
    this.#shutdown({ code: code ?? NO_STATUS, reason: code === undefined ? "" : truncateCloseReason(reason) });
  }

  /** Drops the link without a close frame: both ends see 1006 and an empty reason. */
  terminate(): void {
    this.#shutdown({ code: ABNORMAL, reason: "" });
  }

  #shutdown(info: TransportCloseInfo): void {
    if (!this.#link.open) return;
    this.#link.open = false;
    const remote = this.#remote;
    // Queued behind every message already in flight, so the close never overtakes one.
    queueMicrotask(() => {
      this.finish(info);
      remote?.finish(info);
    });
  }
}

/**
 * Creates two linked in-memory transports: what one `send`s the other receives. The
 * default test double for anything built on a {@link Transport}.
 *
 * @returns `[a, b]`, both open
 */
export function createInMemoryTransportPair(): [InMemoryTransport, InMemoryTransport] {
  const link: Link = { open: true };
  const a = new InMemoryTransport(link);
  const b = new InMemoryTransport(link);
  a.attach(b);
  b.attach(a);
  return [a, b];
}

import { BaseTransport } from "@clawbridge/rpc-core";
import type { Transport } from "@clawbridge/rpc-core";

/**
 * A {@link Transport} in front of a socket's real transport, used after `hello-ok`:
 * the handshake owns the socket's inbound messages until then and hands each later
 * message over with {@link push} (queued handshake frames first, so order is kept).
 * Every write goes through `beforeSend`, where the server enforces its outbound
 * buffer limit (`slow consumer`).
 */
export class GatedTransport extends BaseTransport {
  readonly #inner: Transport;
  readonly #beforeSend: () => void;

  /**
   * @param inner - the socket's transport
   * @param beforeSend - runs before every write; throws to refuse it (the socket is then closing)
   */
  constructor(inner: Transport, beforeSend: () => void) {
    super();
    this.#inner = inner;
    this.#beforeSend = beforeSend;
    inner.onClose((info) => this.finish(info));
  }

  get isOpen(): boolean {
    return this.#inner.isOpen;
  }

  get bufferedAmount(): number {
    return this.#inner.bufferedAmount;
  }

  send(text: string): void {
    this.#beforeSend();
    this.#inner.send(text);
  }

  close(code?: number, reason?: string): void {
    this.#inner.close(code, reason);
  }

  /** Delivers one inbound message to this transport's listeners. */
  push(text: string): void {
    this.deliver(text);
  }
}

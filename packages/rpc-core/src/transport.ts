/** How a transport closed. */
export interface TransportCloseInfo {
  /** WebSocket close code; 1005 when the closer gave none, 1006 when the link dropped without a close frame. */
  readonly code: number;
  /** Close reason text ("" when none). */
  readonly reason: string;
}

/**
 * The seam between the RPC engine and a byte pipe: text messages in and out, and one
 * close. Implementations: {@link createInMemoryTransportPair} (tests),
 * {@link WebSocketTransport} (`ws`, client or server side).
 *
 * Contract:
 * * `send` writes one text message; on a closed transport it throws
 *   {@link ConnectionClosedError} (typed, local).
 * * Messages received before the first `onMessage` listener subscribes are buffered
 *   and delivered to it, so nothing is lost between open and wiring.
 * * `onClose` fires exactly once; subscribing after the close still delivers it
 *   (asynchronously), so late subscribers cannot miss it.
 * * `close` is idempotent; `isOpen` turns false at once.
 * * Listener subscriptions return an unsubscribe function.
 */
export interface Transport {
  /** Writes one text message. Throws `ConnectionClosedError` when not open. */
  send(text: string): void;
  /**
   * Closes the link (idempotent).
   *
   * @param code - close code to send; omitted = no status (the other side sees 1005)
   * @param reason - close reason; truncated to 123 bytes of UTF-8 where the wire requires it
   */
  close(code?: number, reason?: string): void;
  /** Subscribes to inbound text messages. */
  onMessage(listener: (text: string) => void): () => void;
  /** Subscribes to the close (fires once, also for late subscribers). */
  onClose(listener: (info: TransportCloseInfo) => void): () => void;
  /** True while messages can be sent. */
  readonly isOpen: boolean;
  /** Bytes queued for sending but not yet handed to the network (0 for an idle link). */
  readonly bufferedAmount: number;
}

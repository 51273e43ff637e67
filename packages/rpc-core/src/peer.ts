import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  ErrorCodes,
  MAX_PAYLOAD_BYTES,
  truncateCloseReason,
} from "@clawbridge/protocol";
import type {
  ErrorShape,
  EventFrame,
  MethodDefinition,
  RequestFrame,
  ResponseFrame,
  StateVersion,
} from "@clawbridge/protocol";
import type { z } from "zod";
import { BaseTransport } from "./base-transport.js";
import {
  ConnectionClosedError,
  GatewayRequestError,
  ProtocolViolationError,
  RequestAbortedError,
  RequestTimeoutError,
} from "./errors.js";
import { decodeFrame, encodeFrame, exceedsUtf8Bytes } from "./frame-codec.js";
import type { FrameValidation } from "./frame-codec.js";
import { RawJson } from "./raw-json.js";
import { createRequestIdGenerator } from "./request-id.js";
import type { RequestIdGenerator } from "./request-id.js";
import { Router } from "./router.js";
import type { DispatchResult } from "./router.js";
import type { Transport, TransportCloseInfo } from "./transport.js";
import { TypedEmitter } from "./typed-emitter.js";
import type { ListenerErrorHandler } from "./typed-emitter.js";

/** Longest delay `setTimeout` honours (ms); larger deadlines are treated as unbounded. */
const MAX_TIMER_MS = 2_147_483_647;

/** Open until closed, by either side; a peer never reopens (make a new one per connection). */
export type PeerState = "open" | "closed";

/** How a peer's connection ended. */
export interface PeerCloseInfo extends TransportCloseInfo {
  /** `local` when {@link Peer.close} was called here, `remote` when the transport closed under us. */
  readonly initiator: "local" | "remote";
}

/** A hole in the inbound event `seq` numbering (reported, never fatal). */
export interface SequenceGap {
  /** The `seq` that should have come next (`last + 1`). */
  readonly expected: number;
  /** The `seq` that came. */
  readonly received: number;
  /** Name of the event that revealed the gap. */
  readonly event: string;
}

/** Options of one outbound request. */
export interface RequestOptions {
  /**
   * Deadline (ms) for the final response; `null` or `Infinity` = unbounded. Default: the
   * peer's `requestTimeoutMs` (30000), or unbounded with `expectFinal` (as OpenClaw's client).
   * On expiry the promise rejects with {@link RequestTimeoutError} (`requestSent: true`).
   */
  timeoutMs?: number | null | undefined;
  /** Rejects with {@link RequestAbortedError}; an already-aborted signal rejects without sending. */
  signal?: AbortSignal | undefined;
  /**
   * Two-phase methods (`agent`): an `ok:true` response whose `payload.status` is
   * `"accepted"` is an acknowledgement — `onAccepted` fires once and the promise waits for
   * the next response with the same id. Default false: the first response settles.
   */
  expectFinal?: boolean | undefined;
  /** Called once with the `accepted` payload (only with `expectFinal`). */
  onAccepted?: ((payload: Record<string, unknown>) => void) | undefined;
  /** W3C `traceparent` to put on the frame (≤128 chars). */
  traceparent?: string | undefined;
  /** `expectedProfileId` to put on the frame (profile binding). */
  expectedProfileId?: string | undefined;
  /**
   * Resolve with a {@link RawJson} of the final payload's text instead of parsing it, when
   * the answer has the layout gateways write: `{"type":"res","id":"<id>","ok":true,"payload":…}`
   * with nothing before `payload` and no whitespace. Any other answer (another layout, an
   * error, an `accepted` acknowledgement) is decoded as usual and the promise resolves with
   * the parsed payload, so callers must accept both. For forwarding a payload unread.
   */
  rawPayload?: boolean | undefined;
}

/** Options of {@link Peer.sendEvent}. */
export interface SendEventOptions {
  /** Stamp this peer's outbound event counter (1, 2, … per connection). Default false (no `seq`). */
  seq?: boolean | undefined;
  /** `stateVersion` to attach. */
  stateVersion?: StateVersion | undefined;
  /** `recipientProfileId` to attach. */
  recipientProfileId?: string | undefined;
  /**
   * Drop the event instead of sending when the transport already buffers more than this
   * many bytes; a dropped event still consumes its `seq` (OpenClaw's `dropIfSlow`).
   * Default: always send.
   */
  dropIfBufferedAbove?: number | undefined;
}

/** What {@link Peer.sendEvent} did. */
export interface SendEventResult {
  /** False when dropped by `dropIfBufferedAbove`. */
  readonly sent: boolean;
  /** The `seq` stamped (and consumed), if any. */
  readonly seq: number | undefined;
}

interface BasePeerOptions<Ctx> {
  /** Serves inbound requests. Default: an empty router (every method is `unknown method`). */
  router?: Router<Ctx> | undefined;
  /** Default deadline of outbound requests (ms); `null`/`Infinity` = unbounded. Default 30000. */
  requestTimeoutMs?: number | null | undefined;
  /** Largest inbound frame (UTF-8 bytes); larger is an `oversize` violation. Default 26214400. */
  maxInboundBytes?: number | undefined;
  /** Envelope strictness of inbound frames (see {@link FrameValidation}). Default `strict`. */
  frameValidation?: FrameValidation | undefined;
  /**
   * Server behaviour: answer every inbound protocol violation with
   * `{"type":"res","id":<frame id or "invalid">,"ok":false,"error":{"code":"INVALID_REQUEST","message":"invalid request frame: …"}}`.
   * Default false (a client only reports through `onProtocolError`).
   */
  answerInvalidFrames?: boolean | undefined;
  /** Request id source. Default `"<n>:<uuid>"` counting from 1 for this peer. */
  createRequestId?: RequestIdGenerator | undefined;
  /** What to do when a listener or `onAccepted` throws. Default: rethrow on a microtask. */
  onListenerError?: ListenerErrorHandler | undefined;
}

/** Options of {@link Peer}. `context` is required when the router needs one. */
export type PeerOptions<Ctx> = BasePeerOptions<Ctx> &
  (undefined extends Ctx ? { context?: Ctx } : { context: Ctx });

interface PeerEvents {
  event: EventFrame;
  gap: SequenceGap;
  close: PeerCloseInfo;
  protocolError: ProtocolViolationError;
  unknownResponse: ResponseFrame;
  state: PeerState;
}

interface PendingRequest {
  readonly method: string;
  readonly resolve: (payload: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly expectFinal: boolean;
  readonly onAccepted: ((payload: Record<string, unknown>) => void) | undefined;
  readonly unbounded: boolean;
  readonly raw: boolean;
  acceptedNotified: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The caller's signal and the listener on it, removed on settle. Kept as two fields on
   * purpose: storing a per-request cleanup closure here instead (and calling it on settle)
   * made V8 keep ~2 MB of young objects alive per scavenge in the relay at 50 clients,
   * promoting nearly all of them (scavenges of 7-12 ms, a mark-compact every ~1.5 s).
   */
  abortSignal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

function isAcceptedPayload(payload: unknown): payload is Record<string, unknown> {
  return (
    typeof payload === "object" &&
    payload !== null &&
    !Array.isArray(payload) &&
    (payload as Record<string, unknown>).status === "accepted"
  );
}

/** The deadline to arm, or undefined for none; throws RangeError for a nonsensical value. */
function resolveTimeout(requested: number | null | undefined, fallback: number | null | undefined, expectFinal: boolean) {
  const value = requested !== undefined ? requested : expectFinal ? null : fallback;
  if (value === null || value === undefined || value === Number.POSITIVE_INFINITY) return undefined;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`timeoutMs must be >= 0, null or Infinity (got ${value})`);
  return value > MAX_TIMER_MS ? undefined : value;
}

const NO_STATUS = 1005;

/** How every raw-forwardable answer starts; the id and {@link RAW_OK} follow. */
const RAW_PREFIX = '{"type":"res","id":"';
/** What follows the id's closing quote in a raw-forwardable answer; the payload follows. */
const RAW_OK = '","ok":true,"payload":';
/** `}`: the last character of a raw-forwardable answer. */
const CLOSING_BRACE = 0x7d;

/** The wire text of a `res` frame; a {@link RawJson} payload is written as is. */
function responseText(id: string, result: DispatchResult): string {
  if (!result.ok) return encodeFrame({ type: "res", id, ok: false, error: result.error });
  if (result.payload instanceof RawJson) return `{"type":"res","id":${JSON.stringify(id)},"ok":true,"payload":${result.payload.text}}`;
  const frame: ResponseFrame = { type: "res", id, ok: true };
  if (result.payload !== undefined) frame.payload = result.payload;
  return encodeFrame(frame);
}

/**
 * The JSON-RPC engine of one connection, symmetric for client and server sides:
 *
 * * **outbound requests** ({@link request}): ids `"<n>:<uuid>"`, out-of-order replies,
 *   per-request deadline, `AbortSignal`, two-phase `expectFinal`; `ok:false` rejects with
 *   {@link GatewayRequestError}; a close rejects every pending request with
 *   {@link ConnectionClosedError} (never replayed).
 * * **inbound events** ({@link onEvent}) with per-connection `seq` gap detection ({@link onGap}).
 * * **outbound events** ({@link sendEvent}) with an optional per-connection `seq` counter.
 * * **inbound requests** served by a {@link Router} with a per-connection context; answers
 *   are never written after close.
 * * **bad input** never throws: each bad frame is a {@link ProtocolViolationError} on
 *   {@link onProtocolError} and the peer keeps serving (the owner decides whether to close).
 *
 * @typeParam Ctx - per-connection context handed to the router
 */
export class Peer<Ctx = undefined> {
  /** The transport this peer drives (for knobs outside the seam). */
  readonly transport: Transport;
  /** The per-connection context given to router handlers. */
  readonly context: Ctx;

  readonly #router: Router<Ctx>;
  readonly #events: TypedEmitter<PeerEvents>;
  readonly #onListenerError: ListenerErrorHandler | undefined;
  readonly #pending = new Map<string, PendingRequest>();
  readonly #closed = new AbortController();
  readonly #createRequestId: RequestIdGenerator;
  readonly #requestTimeoutMs: number | null | undefined;
  readonly #maxInboundBytes: number;
  readonly #frameValidation: FrameValidation;
  readonly #answerInvalidFrames: boolean;
  readonly #detachTransport: () => void;
  #state: PeerState = "open";
  #closeInfo: PeerCloseInfo | undefined;
  #lastInboundSeq: number | undefined;
  #outboundSeq = 0;
  #unboundedPending = 0;
  /** Pending requests made with `rawPayload` (inbound text is only sniffed while there are some). */
  #rawPending = 0;
  #lastInboundAtMs: number | undefined;

  /**
   * @param transport - an open transport, owned by this peer from now on (a closed one yields a closed peer)
   * @param options - see {@link PeerOptions}; `context` is required when `Ctx` excludes undefined
   */
  constructor(transport: Transport, ...[options]: undefined extends Ctx ? [PeerOptions<Ctx>?] : [PeerOptions<Ctx>]) {
    const opts = (options ?? {}) as BasePeerOptions<Ctx> & { context?: Ctx };
    this.transport = transport;
    this.context = opts.context as Ctx;
    this.#router = opts.router ?? new Router<Ctx>();
    this.#onListenerError = opts.onListenerError;
    this.#events = new TypedEmitter<PeerEvents>(opts.onListenerError);
    this.#createRequestId = opts.createRequestId ?? createRequestIdGenerator();
    this.#requestTimeoutMs = opts.requestTimeoutMs === undefined ? DEFAULT_REQUEST_TIMEOUT_MS : opts.requestTimeoutMs;
    this.#maxInboundBytes = opts.maxInboundBytes ?? MAX_PAYLOAD_BYTES;
    this.#frameValidation = opts.frameValidation ?? "strict";
    this.#answerInvalidFrames = opts.answerInvalidFrames ?? false;
    const offMessage = transport.onMessage((text) => this.#receive(text));
    const offClose = transport.onClose((info) => this.#shutdown({ ...info, initiator: "remote" }));
    this.#detachTransport = () => {
      offMessage();
      offClose();
    };
    if (!transport.isOpen) {
      const known = transport instanceof BaseTransport ? transport.closeInfo : undefined;
      // Closing, not closed (a close frame came in with the upgrade): its close event, which
      // the contract guarantees, brings the real code and reason. Otherwise the transport is
      // already gone: settle into `closed` without waiting for its event.
      const closing = transport instanceof BaseTransport && known === undefined;
      if (!closing) this.#shutdown({ code: known?.code ?? NO_STATUS, reason: known?.reason ?? "", initiator: "remote" });
    }
  }

  /** `open` or `closed`. */
  get state(): PeerState {
    return this.#state;
  }

  /** True while open. */
  get isOpen(): boolean {
    return this.#state === "open";
  }

  /** How the connection ended, once closed. */
  get closeInfo(): PeerCloseInfo | undefined {
    return this.#closeInfo;
  }

  /** Outbound requests awaiting their final response. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Pending requests without a deadline (a tick watchdog must guard them). */
  get unboundedPendingCount(): number {
    return this.#unboundedPending;
  }

  /** Bytes the transport has not yet written (see `Transport.bufferedAmount`). */
  get bufferedAmount(): number {
    return this.transport.bufferedAmount;
  }

  /** `Date.now()` of the last valid inbound frame (liveness for a tick watchdog), if any. */
  get lastInboundAtMs(): number | undefined {
    return this.#lastInboundAtMs;
  }

  /** The last inbound event `seq` seen on this connection, if any. */
  get lastEventSeq(): number | undefined {
    return this.#lastInboundSeq;
  }

  /** Subscribes to inbound events (after gap detection). Returns the unsubscribe function. */
  onEvent(listener: (frame: EventFrame) => void): () => void {
    return this.#events.on("event", listener);
  }

  /** Subscribes to `seq` gaps (`seq > last + 1`); the event itself is still delivered. */
  onGap(listener: (gap: SequenceGap) => void): () => void {
    return this.#events.on("gap", listener);
  }

  /** Subscribes to the close (fires once; pending requests are already rejected). */
  onClose(listener: (info: PeerCloseInfo) => void): () => void {
    return this.#events.on("close", listener);
  }

  /** Subscribes to inbound protocol violations (bad JSON, bad frames, oversize, …). */
  onProtocolError(listener: (error: ProtocolViolationError) => void): () => void {
    return this.#events.on("protocolError", listener);
  }

  /** Subscribes to valid responses whose id matches no pending request (late, duplicate or foreign); they are otherwise ignored. */
  onUnknownResponse(listener: (frame: ResponseFrame) => void): () => void {
    return this.#events.on("unknownResponse", listener);
  }

  /** Subscribes to state changes (`open` → `closed`). */
  onStateChange(listener: (state: PeerState) => void): () => void {
    return this.#events.on("state", listener);
  }

  /**
   * Calls a typed method (see protocol's `defineMethod`); resolves with the final payload.
   * Results are typed, not re-validated: payloads are open and the gateway is the truth.
   */
  request<M extends MethodDefinition>(
    definition: M,
    params: z.input<M["params"]>,
    options?: RequestOptions,
  ): Promise<z.output<M["result"]>>;
  /**
   * Calls `method` with `params` (omitted from the frame when undefined); resolves with
   * the final response's `payload`. Rejects with {@link GatewayRequestError} (`ok:false`),
   * {@link RequestTimeoutError}, {@link RequestAbortedError} or {@link ConnectionClosedError}.
   */
  request<R = unknown>(method: string, params?: unknown, options?: RequestOptions): Promise<R>;
  request(target: string | MethodDefinition, params?: unknown, options: RequestOptions = {}): Promise<unknown> {
    const method = typeof target === "string" ? target : target.method;
    if (this.#state === "closed") {
      const info = this.#closeInfo;
      return Promise.reject(
        new ConnectionClosedError(info?.code ?? NO_STATUS, info?.reason ?? "", { method, requestSent: false }),
      );
    }
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new RequestAbortedError(method, false, signal.reason));
    const expectFinal = options.expectFinal === true;
    let timeoutMs: number | undefined;
    let text: string;
    let id: string;
    try {
      timeoutMs = resolveTimeout(options.timeoutMs, this.#requestTimeoutMs, expectFinal);
      id = this.#createRequestId();
      if (this.#pending.has(id)) throw new Error(`request id generator repeated a pending id`);
      const frame: RequestFrame = { type: "req", id, method };
      if (params !== undefined) frame.params = params;
      if (options.traceparent !== undefined) frame.traceparent = options.traceparent;
      if (options.expectedProfileId !== undefined) frame.expectedProfileId = options.expectedProfileId;
      text = encodeFrame(frame);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<unknown>((resolve, reject) => {
      const pending: PendingRequest = {
        method,
        resolve,
        reject,
        expectFinal,
        onAccepted: options.onAccepted,
        unbounded: timeoutMs === undefined,
        raw: options.rawPayload === true,
        acceptedNotified: false,
        timer: undefined,
        abortSignal: undefined,
        onAbort: undefined,
      };
      this.#pending.set(id, pending);
      if (pending.unbounded) this.#unboundedPending += 1;
      if (pending.raw) this.#rawPending += 1;
      // Deadline and abort are armed before sending: a transport may answer synchronously.
      if (timeoutMs !== undefined) {
        const ms = timeoutMs;
        pending.timer = setTimeout(() => {
          if (this.#settle(id, pending)) reject(new RequestTimeoutError(method, ms, true));
        }, ms);
      }
      if (signal !== undefined) {
        const onAbort = (): void => {
          if (this.#settle(id, pending)) reject(new RequestAbortedError(method, true, signal.reason));
        };
        signal.addEventListener("abort", onAbort, { once: true });
        pending.abortSignal = signal;
        pending.onAbort = onAbort;
      }
      try {
        this.transport.send(text);
      } catch (error) {
        if (this.#settle(id, pending)) {
          const info = error instanceof ConnectionClosedError ? error : this.#closeInfo;
          reject(new ConnectionClosedError(info?.code ?? NO_STATUS, info?.reason ?? "", { method, requestSent: false }));
        }
      }
    });
  }

  /**
   * Sends an event frame (server side, or a node's direct events). With `seq: true` the
   * frame gets this connection's next outbound number (1, 2, …); `connect.challenge` and
   * direct node events carry none. Throws {@link ConnectionClosedError} when closed, and
   * what `JSON.stringify` throws for an unserialisable payload (no `seq` is consumed then).
   *
   * @param event - event name (non-empty)
   * @param payload - event payload; omitted from the frame when undefined
   * @param options - `seq`, `stateVersion`, `recipientProfileId`, `dropIfBufferedAbove` (bytes)
   */
  sendEvent(event: string, payload?: unknown, options: SendEventOptions = {}): SendEventResult {
    if (this.#state === "closed") {
      const info = this.#closeInfo;
      throw new ConnectionClosedError(info?.code ?? NO_STATUS, info?.reason ?? "");
    }
    // Field order matches the gateway's broadcast: type, event, payload, seq, stateVersion, recipientProfileId.
    const frame: EventFrame = { type: "event", event };
    if (payload !== undefined) frame.payload = payload;
    const seq = options.seq === true ? this.#outboundSeq + 1 : undefined;
    if (seq !== undefined) frame.seq = seq;
    if (options.stateVersion !== undefined) frame.stateVersion = options.stateVersion;
    if (options.recipientProfileId !== undefined) frame.recipientProfileId = options.recipientProfileId;
    const text = encodeFrame(frame);
    if (seq !== undefined) this.#outboundSeq = seq;
    const limit = options.dropIfBufferedAbove;
    if (limit !== undefined && this.transport.bufferedAmount > limit) return { sent: false, seq };
    this.transport.send(text);
    return { sent: true, seq };
  }

  /**
   * Closes the connection (idempotent): pending requests reject with
   * {@link ConnectionClosedError} carrying this code and reason, handlers' signals abort,
   * `onClose` fires with `initiator: "local"`, and nothing more is read or written.
   *
   * @param code - WebSocket close code; default 1000
   * @param reason - close reason, truncated to 123 bytes of UTF-8; default ""
   */
  close(code = 1000, reason = ""): void {
    if (this.#state === "closed") return;
    const text = truncateCloseReason(reason);
    this.transport.close(code, text);
    this.#shutdown({ code, reason: text, initiator: "local" });
  }

  #receive(text: string): void {
    if (this.#state === "closed") return;
    if (this.#rawPending > 0 && this.#rawAnswer(text)) return;
    const decoded = decodeFrame(text, { maxBytes: this.#maxInboundBytes, validation: this.#frameValidation });
    if (!decoded.ok) {
      this.#violation(decoded.error);
      return;
    }
    this.#lastInboundAtMs = Date.now();
    const frame = decoded.frame;
    switch (frame.type) {
      case "res":
        this.#response(frame);
        return;
      case "event":
        this.#event(frame);
        return;
      case "req":
        void this.#serve(frame);
        return;
    }
  }

  #violation(error: ProtocolViolationError): void {
    // A malformed answer to a pending request fails it now instead of at its deadline.
    if (error.frameType === "res" && error.frameId !== undefined) {
      const pending = this.#pending.get(error.frameId);
      if (pending !== undefined && this.#settle(error.frameId, pending)) pending.reject(error);
    }
    this.#events.emit("protocolError", error);
    if (this.#answerInvalidFrames) {
      this.#writeResponse(error.frameId ?? "invalid", {
        ok: false,
        error: { code: ErrorCodes.INVALID_REQUEST, message: `invalid request frame: ${error.detail}` },
      });
    }
  }

  /**
   * Settles a `rawPayload` request from the text of its answer without parsing it, when the
   * text has the raw-forwardable layout (see {@link RequestOptions.rawPayload}); false
   * (nothing done) for any other text, which is then decoded as usual.
   */
  #rawAnswer(text: string): boolean {
    if (!text.startsWith(RAW_PREFIX) || text.charCodeAt(text.length - 1) !== CLOSING_BRACE) return false;
    // The first quote ends the id unless the id holds an escape: those are left to the decoder.
    const idEnd = text.indexOf('"', RAW_PREFIX.length);
    if (idEnd < 0 || !text.startsWith(RAW_OK, idEnd)) return false;
    const id = text.slice(RAW_PREFIX.length, idEnd);
    if (id.includes("\\")) return false;
    const pending = this.#pending.get(id);
    if (pending === undefined || !pending.raw || exceedsUtf8Bytes(text, this.#maxInboundBytes)) return false;
    const payloadStart = idEnd + RAW_OK.length;
    // A possible `accepted` acknowledgement is decoded, so it is told apart from the final answer.
    if (pending.expectFinal && text.includes('"accepted"', payloadStart)) return false;
    this.#lastInboundAtMs = Date.now();
    if (this.#settle(id, pending)) pending.resolve(new RawJson(text.slice(payloadStart, -1)));
    return true;
  }

  #response(frame: ResponseFrame): void {
    const pending = this.#pending.get(frame.id);
    if (pending === undefined) {
      this.#events.emit("unknownResponse", frame);
      return;
    }
    if (frame.ok && pending.expectFinal && isAcceptedPayload(frame.payload)) {
      if (!pending.acceptedNotified) {
        pending.acceptedNotified = true;
        this.#callSafely(pending.onAccepted, frame.payload, "accepted");
      }
      return;
    }
    if (!this.#settle(frame.id, pending)) return;
    if (frame.ok) {
      pending.resolve(frame.payload);
      return;
    }
    const shape: ErrorShape = frame.error ?? { code: "UNKNOWN", message: "response had ok:false and no error" };
    pending.reject(new GatewayRequestError(shape, { method: pending.method }));
  }

  #event(frame: EventFrame): void {
    if (frame.seq !== undefined) {
      const last = this.#lastInboundSeq;
      if (last !== undefined && frame.seq > last + 1) {
        this.#events.emit("gap", { expected: last + 1, received: frame.seq, event: frame.event });
      }
      this.#lastInboundSeq = frame.seq;
    }
    this.#events.emit("event", frame);
  }

  async #serve(frame: RequestFrame): Promise<void> {
    let result: DispatchResult;
    try {
      result = await this.#router.dispatch(frame, this.context, {
        accept: (payload) => this.#writeResponse(frame.id, { ok: true, payload }),
        signal: this.#closed.signal,
      });
    } catch (error) {
      // Router.dispatch never rejects; this guards a foreign Router-like object.
      result = { ok: false, error: { code: ErrorCodes.UNAVAILABLE, message: String(error) || "request failed" } };
    }
    this.#writeResponse(frame.id, result);
  }

  /** Writes a `res` frame unless closed; an unserialisable payload becomes UNAVAILABLE (as OpenClaw). */
  #writeResponse(id: string, result: DispatchResult): void {
    if (this.#state === "closed" || !this.transport.isOpen) return;
    let text: string;
    try {
      text = responseText(id, result);
    } catch {
      text = encodeFrame({
        type: "res",
        id,
        ok: false,
        error: { code: ErrorCodes.UNAVAILABLE, message: "response serialization failed" },
      });
    }
    try {
      this.transport.send(text);
    } catch {
      // Closed between the check and the write: the answer has nowhere to go.
    }
  }

  /** Removes a pending request and its timer/abort hooks; false if it was already settled. */
  #settle(id: string, pending: PendingRequest): boolean {
    if (this.#pending.get(id) !== pending) return false;
    this.#pending.delete(id);
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    if (pending.abortSignal !== undefined && pending.onAbort !== undefined) pending.abortSignal.removeEventListener("abort", pending.onAbort);
    if (pending.unbounded) this.#unboundedPending -= 1;
    if (pending.raw) this.#rawPending -= 1;
    return true;
  }

  #shutdown(info: PeerCloseInfo): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#closeInfo = info;
    this.#detachTransport();
    this.#closed.abort(new ConnectionClosedError(info.code, info.reason));
    for (const [id, pending] of [...this.#pending]) {
      if (this.#settle(id, pending)) {
        pending.reject(new ConnectionClosedError(info.code, info.reason, { method: pending.method, requestSent: true }));
      }
    }
    this.#events.emit("state", "closed");
    this.#events.emit("close", info);
  }

  #callSafely(listener: ((payload: Record<string, unknown>) => void) | undefined, payload: Record<string, unknown>, what: string): void {
    if (listener === undefined) return;
    try {
      listener(payload);
    } catch (error) {
      if (this.#onListenerError !== undefined) this.#onListenerError(error, what);
      else
        queueMicrotask(() => {
          throw error;
        });
    }
  }
}

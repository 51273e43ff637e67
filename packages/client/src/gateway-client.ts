import { randomUUID } from "node:crypto";
import {
  CloseCodes,
  ConnectErrorDetailCodes,
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_GATEWAY_URL,
  DEFAULT_REQUEST_TIMEOUT_MS,
  GatewayEvents,
  HANDSHAKE_TIMEOUT_MS,
  MAX_PAYLOAD_BYTES,
  RECONNECT_PAUSE_DETAIL_CODES,
  Roles,
  platformIdentity,
  scopeSatisfied,
} from "@clawbridge/protocol";
import type {
  ClientInfo,
  ConnectAuth,
  HelloFeatures,
  HelloOk,
  HelloPolicy,
  MethodDefinition,
} from "@clawbridge/protocol";
import {
  ConnectionClosedError,
  RequestAbortedError,
  RequestTimeoutError,
  TypedEmitter,
} from "@clawbridge/rpc-core";
import type { ConnectWebSocketOptions, Peer, RequestOptions, WebSocketTransport } from "@clawbridge/rpc-core";
import type { z } from "zod";
import { backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
import type { BackoffPolicy } from "./backoff.js";
import { resolveConfigDir } from "./config-dir.js";
import { closeWithGrace, performHandshake } from "./connect-handshake.js";
import type { ChallengeInfo, Handshake } from "./connect-handshake.js";
import { buildConnectParams } from "./connect-params.js";
import { CredentialStore, storeSlotForUrl } from "./credential-store.js";
import type { StoredDeviceToken } from "./credential-store.js";
import type { DeviceIdentity } from "./device-identity.js";
import {
  CallTimeoutError,
  ConnectRejectedError,
  GatewayClientError,
  GatewayUrlError,
  InsecureTransportError,
  PairingRequiredError,
  PairingTimeoutError,
  PayloadTooLargeError,
  ScopeCeilingError,
  SecretSourceError,
  TlsFingerprintError,
} from "./errors.js";
import type {
  CallOnceOptions,
  CallOptions,
  ClientState,
  ConnectAttemptFailure,
  GatewayClientOptions,
  WaitForPairingOptions,
} from "./client-options.js";
import { GatewayEventHub } from "./event-hub.js";
import { assertPlaintextAllowed, bareHost, displayUrl, edgeHeadersTransportProblem, isLoopbackHost, parseGatewayUrl } from "./gateway-url.js";
import { createRedactingLogger } from "./logger.js";
import type { RedactingLogger } from "./logger.js";
import { assertWithinCeiling, resolveRequestedScopes } from "./scope-policy.js";
import { SecretRedactor } from "./secret-redactor.js";
import { startTickWatchdog } from "./tick-watchdog.js";
import { normalizeTlsFingerprint, pinnedTlsOptions } from "./tls-pinning.js";
import { UnsentQueue } from "./unsent-queue.js";
import type { UnsentRequest } from "./unsent-queue.js";

/** Version reported in `connect.params.client.version` (this package's version). */
export const CLIENT_VERSION = "0.1.0";

interface ClientEvents {
  state: { state: ClientState; previous: ClientState };
  connectError: ConnectAttemptFailure;
}

/** An open connection. */
interface Connection {
  readonly peer: Peer;
  readonly transport: WebSocketTransport;
  readonly hello: HelloOk;
  stopWatchdog: () => void;
}

/** A call with its options, queued or being dispatched. */
interface ClientRequest extends UnsentRequest {
  readonly options: CallOptions;
}

interface OpenWaiter {
  resolve: (hello: HelloOk) => void;
  reject: (error: unknown) => void;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Errors on which no retry can help until a human changes configuration, credentials or pairing. */
function isPausingError(error: unknown): boolean {
  if (error instanceof ConnectRejectedError) {
    const code = error.detailCode;
    if (code === undefined) return false;
    if (code === ConnectErrorDetailCodes.PAIRING_REQUIRED) return error.recommendedNextStep !== "wait_then_retry";
    return RECONNECT_PAUSE_DETAIL_CODES.has(code);
  }
  return (
    error instanceof InsecureTransportError ||
    error instanceof TlsFingerprintError ||
    error instanceof ScopeCeilingError ||
    error instanceof GatewayUrlError ||
    error instanceof SecretSourceError ||
    (error instanceof GatewayClientError && error.code === "INVALID_CONNECT_PARAMS")
  );
}

function retryFloorMs(error: unknown): number {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === "number" && value > 0 ? value : 0;
}

/** Conservative size of the request frame (bytes): the real id is ≤ 48 chars, we reserve 64. */
function requestFrameBytes(method: string, params: unknown): number {
  const frame = { type: "req", id: "x".repeat(64), method, ...(params === undefined ? {} : { params }) };
  return Buffer.byteLength(JSON.stringify(frame), "utf8");
}

/**
 * A typed client of one OpenClaw Gateway (protocol v4) over rpc-core's `Peer`:
 * challenge handshake, token/password/device-token auth and an Ed25519 device identity
 * persisted per remote, pairing, least-privilege scopes with a local ceiling, an
 * optional reconnect loop with jittered backoff, a tick watchdog, TLS pinning and the
 * plaintext-`ws://` guard.
 *
 * ```ts
 * const client = new GatewayClient({ url: "wss://gw2.example:18789", token, reconnect: true,
 *   methods: ["node.list"] });
 * const hello = await client.connect();
 * const { nodes } = await client.call(Methods.NodeList, {});
 * await client.close();
 * ```
 *
 * Secrets given to or learned by the client are never logged and are scrubbed from
 * every error it throws; connect params are never attached to errors.
 */
export class GatewayClient {
  /** Server events (subscriptions survive reconnects). */
  readonly events: GatewayEventHub;
  /** The gateway URL (credentials are refused in URLs). */
  readonly url: URL;

  readonly #options: GatewayClientOptions;
  readonly #redactor = new SecretRedactor();
  readonly #log: RedactingLogger;
  readonly #emitter = new TypedEmitter<ClientEvents>();
  readonly #queue = new UnsentQueue<ClientRequest>();
  readonly #wsOptions: ConnectWebSocketOptions;
  readonly #clientInfo: ClientInfo;
  readonly #role = Roles.OPERATOR;
  readonly #useDevice: boolean;
  readonly #backoff: BackoffPolicy | undefined;
  readonly #store: CredentialStore;
  readonly #closeController = new AbortController();
  #state: ClientState = "idle";
  #connection: Connection | undefined;
  #lastHello: HelloOk | undefined;
  #openWaiters: OpenWaiter[] = [];
  #loop: Promise<void> | undefined;
  #attemptController: AbortController | undefined;
  #failures = 0;
  #identity: Promise<DeviceIdentity> | undefined;
  #closed: Promise<void> | undefined;
  #lastFrameAtMs = 0;

  /**
   * Validates the target and options; throws at once for an invalid URL
   * (`GatewayUrlError`), refused plaintext (`InsecureTransportError`, also for
   * `headers` over `ws://` to a non-loopback host), or a bad or
   * unusable TLS pin (`TlsFingerprintError`). Nothing is connected until
   * {@link connect} or {@link call}.
   */
  constructor(options: GatewayClientOptions = {}) {
    this.#options = options;
    for (const secret of [options.token, options.password, options.deviceToken]) this.#redactor.add(secret);
    for (const value of Object.values(options.headers ?? {})) this.#redactor.add(value);
    this.#log = createRedactingLogger(options.logger, this.#redactor);
    this.events = new GatewayEventHub();
    this.url = parseGatewayUrl(options.url ?? DEFAULT_GATEWAY_URL);
    assertPlaintextAllowed(this.url, options.allowInsecurePlaintext === true);
    const headersProblem = options.headers === undefined ? undefined : edgeHeadersTransportProblem(this.url);
    if (headersProblem !== undefined) throw new InsecureTransportError(headersProblem, bareHost(this.url));

    const wsOptions: ConnectWebSocketOptions = {
      handshakeTimeout: options.openTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
      maxPayload: options.maxInboundBytes ?? MAX_PAYLOAD_BYTES,
      perMessageDeflate: false,
    };
    if (options.headers !== undefined) wsOptions.headers = { ...options.headers };
    if (options.agent !== undefined) wsOptions.agent = options.agent;
    if (options.ca !== undefined) wsOptions.ca = options.ca;
    if (options.tlsFingerprint !== undefined) {
      if (this.url.protocol !== "wss:") {
        throw new TlsFingerprintError("TLS_FINGERPRINT_REQUIRES_WSS", "gateway tls fingerprint requires wss:// gateway url", {
          expected: normalizeTlsFingerprint(options.tlsFingerprint),
        });
      }
      Object.assign(wsOptions, pinnedTlsOptions(options.tlsFingerprint));
    }
    this.#wsOptions = wsOptions;

    const platform = platformIdentity(process.platform);
    const client = options.client ?? {};
    this.#clientInfo = {
      id: client.id ?? "gateway-client",
      mode: client.mode ?? "backend",
      version: client.version ?? CLIENT_VERSION,
      platform: platform.platform,
      deviceFamily: platform.deviceFamily,
      instanceId: client.instanceId ?? randomUUID(),
      ...(client.displayName === undefined ? {} : { displayName: client.displayName }),
    };

    const deviceMode = options.device ?? "auto";
    const hasSharedSecret = Boolean(options.token || options.password);
    this.#useDevice =
      deviceMode === "always" ||
      (deviceMode === "auto" && !(isLoopbackHost(bareHost(this.url)) && hasSharedSecret)) ||
      (deviceMode !== "never" && options.deviceIdentity !== undefined);

    const configDir = resolveConfigDir({ configDir: options.configDir, env: options.env });
    this.#store = new CredentialStore(configDir, options.credentialSlot ?? storeSlotForUrl(this.url));
    if (options.deviceIdentity !== undefined) this.#identity = Promise.resolve(options.deviceIdentity);

    const reconnect = options.reconnect;
    this.#backoff =
      reconnect === undefined || reconnect === false
        ? undefined
        : reconnect === true
          ? DEFAULT_BACKOFF
          : { ...DEFAULT_BACKOFF, ...reconnect };
  }

  // ---------------------------------------------------------------- state

  /** Current lifecycle state. */
  get state(): ClientState {
    return this.#state;
  }

  /** Subscribes to state changes. Returns the unsubscribe function. */
  onStateChange(listener: (state: ClientState, previous: ClientState) => void): () => void {
    return this.#emitter.on("state", ({ state, previous }) => listener(state, previous));
  }

  /** Subscribes to failed connection attempts (errors are already redacted). */
  onConnectError(listener: (failure: ConnectAttemptFailure) => void): () => void {
    return this.#emitter.on("connectError", listener);
  }

  /** The `hello-ok` of the current (or last) connection. */
  get hello(): HelloOk | undefined {
    return this.#lastHello;
  }

  /** Negotiated limits (`hello-ok.policy`): `maxPayload`, `maxBufferedBytes`, `tickIntervalMs`. */
  get policy(): HelloPolicy | undefined {
    return this.#lastHello?.policy;
  }

  /** What the server offers (`hello-ok.features`): methods, events, capabilities. */
  get features(): HelloFeatures | undefined {
    return this.#lastHello?.features;
  }

  /** Effective role of the connection (`hello-ok.auth.role`). */
  get role(): string | undefined {
    return this.#lastHello?.auth.role;
  }

  /** Effective scopes enforced by the gateway (may be narrower than requested). */
  get scopes(): readonly string[] | undefined {
    return this.#lastHello?.auth.scopes;
  }

  /** Server info (`hello-ok.server`): version, connId, … */
  get server(): HelloOk["server"] | undefined {
    return this.#lastHello?.server;
  }

  /** The device id in use, once the identity has been loaded (undefined when none is used). */
  async deviceId(): Promise<string | undefined> {
    return this.#useDevice ? (await this.#loadIdentity()).deviceId : undefined;
  }

  #setState(next: ClientState): void {
    const previous = this.#state;
    if (previous === next || previous === "closed") return;
    this.#state = next;
    this.#log.log("debug", `gateway client ${previous} -> ${next}`);
    this.#emitter.emit("state", { state: next, previous });
  }

  // ---------------------------------------------------------------- connect

  /**
   * Connects (if not already) and resolves with `hello-ok`. Without `reconnect` it
   * rejects with the attempt's error (`ConnectRejectedError`, `PairingRequiredError`,
   * `ConnectError`, `HandshakeTimeoutError`, …) and the client returns to `idle`. With
   * `reconnect` it keeps retrying transient failures and rejects only on errors no retry
   * can fix (OpenClaw's pause list: bad credentials, pairing, protocol, TLS pin, …) or
   * on `close()`.
   */
  connect(): Promise<HelloOk> {
    if (this.#state === "closed") return Promise.reject(this.#clientClosedError());
    if (this.#state === "open" && this.#connection !== undefined) return Promise.resolve(this.#connection.hello);
    const waiter = new Promise<HelloOk>((resolve, reject) => this.#openWaiters.push({ resolve, reject }));
    this.#startLoop();
    return waiter;
  }

  #startLoop(): void {
    if (this.#loop !== undefined || this.#state === "closed" || this.#state === "open") return;
    this.#loop = this.#connectLoop().finally(() => {
      this.#loop = undefined;
    });
  }

  /** A method, not a field read, so TypeScript does not narrow `#state` across awaits. */
  #isClosed(): boolean {
    return this.#state === "closed";
  }

  async #connectLoop(): Promise<void> {
    for (;;) {
      if (this.#isClosed()) return;
      const controller = new AbortController();
      this.#attemptController = controller;
      try {
        const handshake = await this.#attempt(controller.signal);
        if (this.#isClosed()) {
          await closeWithGrace(handshake.peer, handshake.transport, CloseCodes.NORMAL, "client closed");
          return;
        }
        this.#onOpen(handshake);
        return;
      } catch (raw) {
        if (this.#isClosed()) return;
        const error = this.#scrub(raw instanceof Error ? raw : new Error(String(raw)));
        this.#failures += 1;
        const retry = this.#backoff !== undefined && !isPausingError(error);
        const delay = retry && this.#backoff !== undefined ? backoffDelay(this.#failures - 1, this.#backoff, retryFloorMs(error)) : undefined;
        this.#log.log(retry ? "warn" : "error", `gateway connect failed${delay === undefined ? "" : `; retrying in ${delay} ms`}`, {
          url: displayUrl(this.url),
          error,
        });
        this.#emitter.emit("connectError", { error, attempt: this.#failures, retryInMs: delay });
        if (delay === undefined) {
          this.#failures = 0;
          this.#setState("idle");
          this.#rejectWaiters(error);
          this.#queue.rejectAll(() => error);
          return;
        }
        this.#setState("reconnecting");
        await sleep(delay, this.#closeController.signal);
      } finally {
        if (this.#attemptController === controller) this.#attemptController = undefined;
      }
    }
  }

  async #loadIdentity(): Promise<DeviceIdentity> {
    if (this.#identity === undefined) {
      this.#identity = this.#store.loadOrCreateIdentity();
      this.#identity.catch(() => {
        this.#identity = undefined;
      });
    }
    return this.#identity;
  }

  /** One connection attempt: identity, scopes, socket, challenge, signed connect, hello. */
  async #attempt(signal: AbortSignal): Promise<Handshake> {
    this.#setState("connecting");
    const identity = this.#useDevice ? await this.#loadIdentity() : undefined;
    let stored: StoredDeviceToken | undefined;
    if (identity !== undefined && this.#options.deviceToken === undefined) {
      stored = await this.#store.loadDeviceToken(identity.deviceId, this.#role);
      this.#redactor.add(stored?.token);
    }
    const scopes = resolveRequestedScopes({
      scopes: this.#options.scopes,
      methods: this.#options.methods,
      storedTokenScopes: stored?.scopes,
    });
    assertWithinCeiling(scopes, this.#options.scopeCeiling);

    const auth: ConnectAuth = {};
    if (this.#options.token) auth.token = this.#options.token;
    if (this.#options.password) auth.password = this.#options.password;
    const deviceToken = this.#options.deviceToken ?? stored?.token;
    // The device token only means something next to a device proof.
    if (deviceToken !== undefined && identity !== undefined) auth.deviceToken = deviceToken;

    this.#log.log("debug", "gateway connecting", {
      url: displayUrl(this.url),
      device: identity?.deviceId,
      scopes,
      auth: Object.keys(auth),
    });
    const handshake = await performHandshake({
      url: this.url,
      wsOptions: this.#wsOptions,
      challengeTimeoutMs: this.#options.challengeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
      helloTimeoutMs: this.#options.helloTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
      maxInboundBytes: this.#options.maxInboundBytes ?? MAX_PAYLOAD_BYTES,
      deviceId: identity?.deviceId,
      signal,
      attach: (peer, transport) => {
        this.#setState("handshaking");
        this.#attachPeer(peer, transport);
      },
      buildParams: (challenge: ChallengeInfo) =>
        buildConnectParams({
          client: this.#clientInfo,
          role: this.#role,
          scopes,
          caps: this.#options.caps ?? [],
          auth,
          device:
            identity === undefined
              ? undefined
              : { identity, signatureVersion: this.#options.signatureVersion ?? "v3" },
          challenge,
        }),
    }).catch(async (error: unknown) => {
      if (
        stored !== undefined &&
        identity !== undefined &&
        error instanceof ConnectRejectedError &&
        error.detailCode === ConnectErrorDetailCodes.AUTH_DEVICE_TOKEN_MISMATCH
      ) {
        // The stored token is stale (revoked or rotated): forget it so the next connect pairs afresh.
        await this.#store.clearDeviceToken(identity.deviceId, this.#role).catch(() => undefined);
        this.#log.log("warn", "stored device token was rejected and has been cleared");
      }
      throw error;
    });
    await this.#storeIssuedTokens(handshake.hello, identity);
    // The socket may have closed while the token was written; `#onOpen` must only see a live peer
    // (its close listener is attached synchronously after this check).
    if (!handshake.peer.isOpen) {
      const info = handshake.peer.closeInfo;
      throw new ConnectionClosedError(info?.code ?? CloseCodes.ABNORMAL, info?.reason ?? "");
    }
    const granted = handshake.hello.auth.scopes;
    const notGranted = scopes.filter((scope) => !scopeSatisfied(granted, scope));
    if (notGranted.length > 0) {
      // OpenClaw clears the scopes of device-less shared-secret clients that are not local.
      this.#log.log("warn", "gateway granted fewer scopes than requested", {
        requested: scopes,
        granted,
        hint: identity === undefined ? "connect with a device identity (device: \"always\") and pair it" : undefined,
      });
    }
    return handshake;
  }

  async #storeIssuedTokens(hello: HelloOk, identity: DeviceIdentity | undefined): Promise<void> {
    const auth = hello.auth;
    const issued: StoredDeviceToken[] = [];
    if (auth.deviceToken !== undefined) {
      issued.push({ token: auth.deviceToken, role: auth.role, scopes: auth.scopes, issuedAtMs: auth.issuedAtMs });
    }
    for (const entry of auth.deviceTokens ?? []) {
      issued.push({ token: entry.deviceToken, role: entry.role, scopes: entry.scopes, issuedAtMs: entry.issuedAtMs });
    }
    for (const token of issued) this.#redactor.add(token.token);
    if (identity === undefined) return;
    for (const token of issued) {
      try {
        await this.#store.saveDeviceToken(identity.deviceId, token);
        this.#log.log("debug", "stored issued device token", { role: token.role, scopes: token.scopes });
      } catch (error) {
        this.#log.log("warn", "could not store the issued device token", { error: error as Error });
      }
    }
  }

  /** Wires a new peer's events to the hub and liveness tracking (before any frame is read). */
  #attachPeer(peer: Peer, transport: WebSocketTransport): void {
    this.#lastFrameAtMs = Date.now();
    transport.onMessage(() => {
      this.#lastFrameAtMs = Date.now();
    });
    peer.onEvent((frame) => {
      if (frame.event === GatewayEvents.CONNECT_CHALLENGE) return;
      this.events.emit({ event: frame.event, payload: frame.payload, seq: frame.seq, stateVersion: frame.stateVersion });
    });
    peer.onGap((gap) => {
      this.#log.log("warn", "gateway event sequence gap", { expected: gap.expected, received: gap.received, event: gap.event });
      this.events.emitGap(gap);
    });
  }

  #onOpen(handshake: Handshake): void {
    const { peer, transport, hello } = handshake;
    const connection: Connection = { peer, transport, hello, stopWatchdog: () => undefined };
    this.#connection = connection;
    this.#lastHello = hello;
    this.#failures = 0;
    peer.onClose((info) => this.#onConnectionLost(connection, info));
    if (this.#options.tickWatchdog !== false) {
      connection.stopWatchdog = startTickWatchdog({
        tickIntervalMs: hello.policy.tickIntervalMs,
        lastFrameAtMs: () => this.#lastFrameAtMs,
        skip: () => peer.pendingCount > 0 && peer.unboundedPendingCount === 0,
        onTimeout: (silenceMs) => {
          this.#log.log("warn", "gateway tick timeout; closing", { silenceMs, tickIntervalMs: hello.policy.tickIntervalMs });
          void closeWithGrace(peer, transport, CloseCodes.TICK_TIMEOUT, "tick timeout");
        },
      });
    }
    this.#log.log("info", "gateway connected", {
      url: displayUrl(this.url),
      server: hello.server.version,
      role: hello.auth.role,
      scopes: hello.auth.scopes,
    });
    this.#setState("open");
    const waiters = this.#openWaiters.splice(0);
    for (const waiter of waiters) waiter.resolve(hello);
    for (const request of this.#queue.drain()) this.#dispatch(connection, request);
  }

  #onConnectionLost(connection: Connection, info: { code: number; reason: string; initiator: "local" | "remote" }): void {
    connection.stopWatchdog();
    if (this.#connection !== connection) return;
    this.#connection = undefined;
    if (this.#state === "closed") return;
    this.#log.log("warn", "gateway connection closed", { code: info.code, reason: info.reason });
    if (this.#backoff === undefined) {
      this.#setState("idle");
      return;
    }
    const delay = backoffDelay(0, this.#backoff);
    this.#setState("reconnecting");
    this.#log.log("info", `gateway reconnecting in ${delay} ms`);
    void sleep(delay, this.#closeController.signal).then(() => {
      if (this.#state === "reconnecting" && this.#connection === undefined) this.#startLoop();
    });
  }

  #rejectWaiters(error: unknown): void {
    for (const waiter of this.#openWaiters.splice(0)) waiter.reject(error);
  }

  #clientClosedError(method?: string): ConnectionClosedError {
    return new ConnectionClosedError(CloseCodes.NORMAL, "client closed", { method, requestSent: false });
  }

  #scrub<E>(error: E): E {
    return this.#redactor.scrubError(error);
  }

  // ---------------------------------------------------------------- calls

  /**
   * Calls a typed method (see `Methods` in `@clawbridge/protocol`); resolves with its
   * result. While the client is connecting or reconnecting, the request waits in the
   * unsent queue (its deadline keeps running; a timeout there says `requestSent:
   * false`) and is written after the next `hello-ok`. Requests already written are
   * never replayed after a lost link: they reject with `ConnectionClosedError`.
   * An idle client connects on demand.
   */
  call<M extends MethodDefinition>(definition: M, params: z.input<M["params"]>, options?: CallOptions): Promise<z.output<M["result"]>>;
  /** Calls `method` with `params`; resolves with the response payload. */
  call<R = unknown>(method: string, params?: unknown, options?: CallOptions): Promise<R>;
  call(target: string | MethodDefinition, params?: unknown, options: CallOptions = {}): Promise<unknown> {
    const method = typeof target === "string" ? target : target.method;
    return new Promise<unknown>((resolve, reject) => {
      const fail = (error: unknown): void => reject(this.#scrub(error));
      if (this.#state === "closed") {
        fail(this.#clientClosedError(method));
        return;
      }
      if (options.signal?.aborted) {
        fail(new RequestAbortedError(method, false, options.signal.reason));
        return;
      }
      let timeoutMs: number | undefined;
      const requested = options.timeoutMs !== undefined ? options.timeoutMs : options.expectFinal === true ? null : this.#options.requestTimeoutMs;
      const value = requested === undefined ? DEFAULT_REQUEST_TIMEOUT_MS : requested;
      if (value !== null && Number.isFinite(value)) timeoutMs = Math.max(0, value);
      const request: ClientRequest = {
        method,
        params,
        timeoutMs,
        deadlineAtMs: timeoutMs === undefined ? undefined : Date.now() + timeoutMs,
        signal: options.signal,
        resolve,
        reject: fail,
        options,
      };
      const connection = this.#connection;
      if (this.#state === "open" && connection !== undefined) {
        this.#dispatch(connection, request);
        return;
      }
      this.#queue.enqueue(request);
      if (this.#state === "idle") {
        // Lazy connect; a failure rejects the queue through the connect loop.
        this.connect().catch(() => undefined);
      }
    });
  }

  /** Writes one request on an open connection, with the remainder of its deadline. */
  #dispatch(connection: Connection, request: ClientRequest): void {
    const options = request.options;
    const remaining = request.deadlineAtMs === undefined ? undefined : request.deadlineAtMs - Date.now();
    if (remaining !== undefined && remaining <= 0) {
      request.reject(new RequestTimeoutError(request.method, request.timeoutMs ?? 0, false));
      return;
    }
    const maxPayload = connection.hello.policy.maxPayload;
    let bytes: number;
    try {
      bytes = requestFrameBytes(request.method, request.params);
    } catch (error) {
      // Cycles or BigInt in params: fail this call only (the queue drain must go on).
      request.reject(error);
      return;
    }
    if (bytes > maxPayload) {
      request.reject(new PayloadTooLargeError(request.method, bytes, maxPayload));
      return;
    }
    const peerOptions: RequestOptions = { timeoutMs: remaining ?? null };
    if (options.signal !== undefined) peerOptions.signal = options.signal;
    if (options.expectFinal !== undefined) peerOptions.expectFinal = options.expectFinal;
    if (options.onAccepted !== undefined) peerOptions.onAccepted = options.onAccepted;
    if (options.traceparent !== undefined) peerOptions.traceparent = options.traceparent;
    if (options.rawPayload !== undefined) peerOptions.rawPayload = options.rawPayload;
    connection.peer.request(request.method, request.params, peerOptions).then(request.resolve, (error: unknown) => {
      // Report the caller's whole deadline, not the remainder handed to the peer.
      if (error instanceof RequestTimeoutError && request.timeoutMs !== undefined) {
        request.reject(new RequestTimeoutError(request.method, request.timeoutMs, error.requestSent));
        return;
      }
      request.reject(error);
    });
  }

  // ---------------------------------------------------------------- pairing

  /**
   * Retries connecting on a bounded schedule (1 s, 2 s, 4 s … capped at 30 s, total 10
   * min by default) while the gateway answers `PAIRING_REQUIRED`, until the operator
   * approves (`openclaw devices approve <requestId>` on the gateway). The device token
   * issued on approval is stored and used on the next connect. Rejects with
   * {@link PairingTimeoutError} at the deadline, with the abort reason on `signal`, and
   * with any other connect error at once.
   */
  async waitForPairing(options: WaitForPairingOptions = {}): Promise<HelloOk> {
    const schedule = options.schedule ?? {};
    const initialMs = schedule.initialMs ?? 1_000;
    const multiplier = schedule.multiplier ?? 2;
    const maxMs = schedule.maxMs ?? 30_000;
    const deadline = Date.now() + (schedule.totalMs ?? 600_000);
    let last: PairingRequiredError | undefined;
    for (let attempt = 1; ; attempt += 1) {
      if (options.signal?.aborted) throw options.signal.reason;
      try {
        return await this.connect();
      } catch (error) {
        if (!(error instanceof PairingRequiredError)) throw error;
        last = error;
        const delay = Math.min(maxMs, initialMs * multiplier ** (attempt - 1));
        if (Date.now() + delay > deadline) throw this.#scrub(new PairingTimeoutError(attempt, last));
        options.onAttempt?.({ attempt, error, nextDelayMs: delay });
        const signals = [this.#closeController.signal, ...(options.signal === undefined ? [] : [options.signal])];
        await sleep(delay, AbortSignal.any(signals));
        if (options.signal?.aborted) throw options.signal.reason;
        if (this.#isClosed()) throw this.#clientClosedError();
      }
    }
  }

  // ---------------------------------------------------------------- close

  /**
   * Ends the client: stops reconnecting, rejects queued requests (`requestSent:false`)
   * and pending ones with `ConnectionClosedError` (1000 `client closed`), sends a normal
   * close and terminates the socket if the close handshake has not finished within
   * 250 ms. Idempotent; resolves when the socket is gone.
   */
  close(): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    this.#setState("closed");
    this.#closeController.abort();
    this.#attemptController?.abort();
    const closedError = this.#clientClosedError();
    this.#rejectWaiters(closedError);
    this.#queue.rejectAll((request) => this.#clientClosedError(request.method));
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection === undefined) {
      this.#closed = Promise.resolve();
    } else {
      connection.stopWatchdog();
      this.#closed = closeWithGrace(connection.peer, connection.transport, CloseCodes.NORMAL, "client closed");
    }
    return this.#closed;
  }

  // ---------------------------------------------------------------- one-shot

  /**
   * One RPC on a fresh connection, for CLI use (`openclaw gateway call` semantics):
   * client identity `cli`/`cli`, least-privilege scopes for this method (unless
   * `options.scopes`), no reconnect, one overall budget (`timeoutMs`, default 10000)
   * for connect + handshake + request. On expiry rejects with {@link CallTimeoutError}
   * telling whether the request had been sent. The socket is always closed after.
   */
  static callOnce<M extends MethodDefinition>(
    options: GatewayClientOptions,
    definition: M,
    params: z.input<M["params"]>,
    callOptions?: CallOnceOptions,
  ): Promise<z.output<M["result"]>>;
  /** One RPC of `method` on a fresh connection (see the typed overload). */
  static callOnce<R = unknown>(
    options: GatewayClientOptions,
    method: string,
    params?: unknown,
    callOptions?: CallOnceOptions,
  ): Promise<R>;
  static async callOnce(
    options: GatewayClientOptions,
    target: string | MethodDefinition,
    params?: unknown,
    callOptions: CallOnceOptions = {},
  ): Promise<unknown> {
    const method = typeof target === "string" ? target : target.method;
    const budget = callOptions.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const startedAt = Date.now();
    const remaining = (): number => Math.max(1, budget - (Date.now() - startedAt));
    if (options.scopeCeiling !== undefined) {
      const requested = resolveRequestedScopes({ scopes: options.scopes, methods: options.methods ?? [{ method, params }] });
      assertWithinCeiling(requested, options.scopeCeiling, method);
    }
    const client = new GatewayClient({
      ...options,
      client: { id: "cli", mode: "cli", ...options.client },
      methods: options.methods ?? [{ method, params }],
      reconnect: false,
      challengeTimeoutMs: Math.min(options.challengeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS, budget),
      helloTimeoutMs: Math.min(options.helloTimeoutMs ?? HANDSHAKE_TIMEOUT_MS, budget),
      openTimeoutMs: Math.min(options.openTimeoutMs ?? HANDSHAKE_TIMEOUT_MS, budget),
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let offAbort: () => void = () => undefined;
    try {
      // Connect phase: the budget and the caller's signal both end it (and the socket).
      const budgetExpired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CallTimeoutError(method, budget, false, "connect")), budget);
      });
      const aborted = new Promise<never>((_, reject) => {
        const signal = callOptions.signal;
        if (signal === undefined) return;
        const onAbort = (): void => reject(new RequestAbortedError(method, false, signal.reason));
        if (signal.aborted) onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        offAbort = () => signal.removeEventListener("abort", onAbort);
      });
      await Promise.race([client.connect(), budgetExpired, aborted]);
      offAbort();
      if (timer !== undefined) clearTimeout(timer);
      // Request phase: the peer owns the remaining budget and the signal.
      const callOpts: CallOptions = { timeoutMs: remaining() };
      if (callOptions.signal !== undefined) callOpts.signal = callOptions.signal;
      if (callOptions.expectFinal !== undefined) callOpts.expectFinal = callOptions.expectFinal;
      if (callOptions.onAccepted !== undefined) callOpts.onAccepted = callOptions.onAccepted;
      if (callOptions.traceparent !== undefined) callOpts.traceparent = callOptions.traceparent;
      try {
        return await client.call(method, params, callOpts);
      } catch (error) {
        if (error instanceof RequestTimeoutError) {
          throw client.#scrub(new CallTimeoutError(method, budget, error.requestSent, "request"));
        }
        throw error;
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      offAbort();
      await client.close();
    }
  }
}

import { isAbsolute, resolve } from "node:path";
import { GatewayClient, PairingRequiredError, resolveSecret, resolveUpgradeHeaders, storeSlotForRemote } from "@clawbridge/client";
import type { ClientState, GatewayClientOptions, GatewayEvent } from "@clawbridge/client";
import { scopeSatisfied } from "@clawbridge/protocol";
import type { HelloOk } from "@clawbridge/protocol";
import { TypedEmitter } from "@clawbridge/rpc-core";
import type { Logger } from "pino";
import type { UpstreamConfig } from "../config/relay-config.js";
import { toSecretSource } from "../config/secret-ref.js";
import { readPemFile } from "../tls-options.js";
import { coalescingAgent } from "./coalescing-agent.js";

/** What one upstream link is doing. */
export type UpstreamState = "starting" | "open" | "reconnecting" | "paused" | "closed";

/** A printable view of a link for `/readyz` and logs. Never holds a secret. */
export interface UpstreamStatus {
  readonly state: UpstreamState;
  /** Open and granted every requested scope. */
  readonly ready: boolean;
  readonly url: string;
  readonly requestedScopes: readonly string[];
  readonly grantedScopes: readonly string[] | undefined;
  readonly deviceId: string | undefined;
  /** Last connect failure (already redacted by the client). */
  readonly lastError: string | undefined;
  /** `openclaw devices approve <id>` when the gateway waits for the relay's pairing approval. */
  readonly approveCommand: string | undefined;
  /**
   * Scopes the current policy needs on this upstream that the relay did not request at
   * start (a reload widened a client's policy): requested only after a restart.
   */
  readonly scopesPendingRestart: readonly string[];
}

/** Options of {@link UpstreamLink}. */
export interface UpstreamLinkOptions {
  readonly id: string;
  readonly config: UpstreamConfig;
  /** Directory of the config file (relative secret/CA paths). */
  readonly baseDir: string;
  /** Relay state dir: device identity and device tokens live in `devices/remote-<id>/`. */
  readonly stateDir: string;
  /** Scopes to request. */
  readonly scopes: readonly string[];
  readonly log: Logger;
  /** Delay before retrying after a failure no automatic retry can fix (ms). Default 15 000. */
  readonly pausedRetryMs?: number | undefined;
  /** Reconnect backoff (ms). Defaults: the client's (1 s ×2 up to 30 s, jittered). */
  readonly backoff?: { initialMs?: number; maxMs?: number } | undefined;
  /** Environment for `{env: NAME}` secrets. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

interface LinkEvents {
  event: GatewayEvent;
  state: UpstreamState;
  hello: HelloOk;
}

/**
 * The relay's one pooled connection to one upstream gateway: a long-lived
 * {@link GatewayClient} (reconnect with backoff, tick watchdog, TLS pin) that proves
 * the relay's own Ed25519 device identity, stored under the relay's state dir so it
 * survives restarts and can be shared by replicas. Requests from every client of this
 * upstream are multiplexed over it; the client's peer gives each its own request id
 * and routes the answer back.
 *
 * When the gateway refuses in a way no automatic retry can fix (wrong token, pairing
 * pending, TLS pin), the client stops; the link then re-reads the secrets and tries
 * again every `pausedRetryMs`, so a rotated token file or a late pairing approval is
 * picked up without a restart.
 */
export class UpstreamLink {
  readonly id: string;
  readonly #options: UpstreamLinkOptions;
  readonly #events = new TypedEmitter<LinkEvents>(() => undefined);
  #client: GatewayClient | undefined;
  #detach: (() => void)[] = [];
  #state: UpstreamState = "starting";
  #lastError: string | undefined;
  #approveCommand: string | undefined;
  #deviceId: string | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #scopesPendingRestart: readonly string[] = [];

  constructor(options: UpstreamLinkOptions) {
    this.id = options.id;
    this.#options = options;
  }

  /** Current state. */
  get state(): UpstreamState {
    return this.#state;
  }

  /** The `hello-ok` of the current (or last) upstream connection. */
  get hello(): HelloOk | undefined {
    return this.#client?.hello;
  }

  /** Open, and the gateway granted every scope the relay asked for. */
  get ready(): boolean {
    const granted = this.#client?.scopes;
    return (
      this.#state === "open" &&
      granted !== undefined &&
      this.#options.scopes.every((scope) => scopeSatisfied(granted, scope))
    );
  }

  /** Scopes this link requests (fixed for the life of the process). */
  get requestedScopes(): readonly string[] {
    return this.#options.scopes;
  }

  /**
   * Records the scopes the policy in force needs on this upstream and returns (and
   * reports in {@link status}) those the requested scopes do not cover. The link does not
   * reconnect to ask for them: see `Relay.reload`.
   */
  noteScopesNeeded(needed: readonly string[]): readonly string[] {
    this.#scopesPendingRestart = needed.filter((scope) => !scopeSatisfied(this.#options.scopes, scope));
    return this.#scopesPendingRestart;
  }

  /** Scopes the upstream granted the relay (`hello-ok.auth.scopes`), once connected. */
  get grantedScopes(): readonly string[] | undefined {
    return this.#state === "open" ? this.#client?.scopes : undefined;
  }

  /** The printable status. */
  status(): UpstreamStatus {
    return {
      state: this.#state,
      ready: this.ready,
      url: this.#options.config.url,
      requestedScopes: [...this.#options.scopes],
      grantedScopes: this.grantedScopes,
      deviceId: this.#deviceId,
      lastError: this.#lastError,
      approveCommand: this.#approveCommand,
      scopesPendingRestart: [...this.#scopesPendingRestart],
    };
  }

  /** Subscribes to upstream events (subscriptions survive reconnects). */
  onEvent(listener: (event: GatewayEvent) => void): () => void {
    return this.#events.on("event", listener);
  }

  /** Subscribes to state changes. */
  onState(listener: (state: UpstreamState) => void): () => void {
    return this.#events.on("state", listener);
  }

  /** Subscribes to each new upstream `hello-ok`. */
  onHello(listener: (hello: HelloOk) => void): () => void {
    return this.#events.on("hello", listener);
  }

  /** Starts connecting (does not wait for the gateway). */
  start(): void {
    void this.#restart();
  }

  /**
   * Forwards one request and resolves with its final answer (rejects as
   * `GatewayClient.call` does). `onAccepted` receives the intermediate `accepted`
   * answer of two-phase methods. The caller bounds the wait with `signal`. With
   * `rawPayload` the answer may be an unread `RawJson` (see `GatewayClient.call`).
   */
  call(
    method: string,
    params: unknown,
    options: {
      signal: AbortSignal;
      onAccepted: (payload: Record<string, unknown>) => void;
      traceparent?: string | undefined;
      rawPayload?: boolean | undefined;
    },
  ): Promise<unknown> {
    const client = this.#client;
    if (client === undefined || this.#state !== "open") return Promise.reject(new UpstreamDownError(this.id, this.#state));
    return client.call(method, params, {
      timeoutMs: null,
      expectFinal: true,
      signal: options.signal,
      onAccepted: options.onAccepted,
      traceparent: options.traceparent,
      rawPayload: options.rawPayload,
    });
  }

  /** Stops reconnecting and closes the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#setState("closed");
    const client = this.#client;
    for (const off of this.#detach.splice(0)) off();
    await client?.close();
  }

  #setState(state: UpstreamState): void {
    if (this.#state === state || this.#state === "closed") return;
    this.#state = state;
    this.#events.emit("state", state);
  }

  async #clientOptions(): Promise<GatewayClientOptions> {
    const { config, baseDir, stateDir, scopes } = this.#options;
    const env = this.#options.env ?? process.env;
    const options: GatewayClientOptions = {
      url: config.url,
      device: config.device,
      configDir: stateDir,
      credentialSlot: storeSlotForRemote(this.id),
      env,
      scopes,
      client: { id: "gateway-client", mode: "backend", displayName: "clawbridge-relay" },
      reconnect: { ...this.#options.backoff },
      // The relay bounds each forwarded request itself (first answer, then accepted → final).
      requestTimeoutMs: null,
      allowInsecurePlaintext: config.allowInsecurePlaintext,
      // Many clients' requests share this socket: their frames leave in one write per event-loop turn.
      agent: coalescingAgent(config.url.startsWith("wss:")),
      logger: {
        // The client already drops its own noise to debug; connect failures are reported once by onConnectError.
        debug: (message, fields) => this.#options.log.debug({ upstream: this.id, ...fields }, message),
        info: (message, fields) => this.#options.log.debug({ upstream: this.id, ...fields }, message),
        warn: (message, fields) => this.#options.log.debug({ upstream: this.id, ...fields }, message),
        error: (message, fields) => this.#options.log.debug({ upstream: this.id, ...fields }, message),
      },
    };
    if (config.token !== undefined) options.token = await resolveSecret(toSecretSource(config.token, baseDir), { env, cwd: baseDir });
    if (config.password !== undefined) {
      options.password = await resolveSecret(toSecretSource(config.password, baseDir), { env, cwd: baseDir });
    }
    if (config.headers !== undefined) options.headers = await resolveUpgradeHeaders(config.headers, { env, cwd: baseDir });
    if (config.tlsFingerprint !== undefined) options.tlsFingerprint = config.tlsFingerprint;
    if (config.ca !== undefined) options.ca = await readPemFile(`upstreams.${this.id}.ca`, isAbsolute(config.ca) ? config.ca : resolve(baseDir, config.ca), "CA certificate");
    return options;
  }

  /** (Re)creates the client with freshly resolved secrets and connects it. */
  async #restart(): Promise<void> {
    if (this.#closed) return;
    const previous = this.#client;
    for (const off of this.#detach.splice(0)) off();
    this.#client = undefined;
    await previous?.close();
    let client: GatewayClient;
    try {
      client = new GatewayClient(await this.#clientOptions());
    } catch (error) {
      // Secrets or options unusable (missing file, bad pin): report and retry later.
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#options.log.error({ upstream: this.id, error: this.#lastError }, "upstream configuration unusable");
      this.#pause();
      return;
    }
    if (this.#closed) {
      await client.close();
      return;
    }
    this.#client = client;
    this.#detach.push(
      client.events.onAny((event) => this.#events.emit("event", event)),
      client.onStateChange((state) => this.#onClientState(client, state)),
      client.onConnectError(({ error, retryInMs }) => {
        this.#lastError = error.message;
        this.#approveCommand = error instanceof PairingRequiredError ? error.approveCommand : undefined;
        const fields = { upstream: this.id, error: error.message, retryInMs };
        if (error instanceof PairingRequiredError) {
          this.#options.log.error(
            { ...fields, deviceId: error.deviceId, requestId: error.requestId },
            `the relay's device is not approved on upstream ${this.id}; on the gateway run: ${error.approveCommand ?? "openclaw devices list"}`,
          );
        } else this.#options.log.warn(fields, "upstream connect failed");
      }),
    );
    client
      .deviceId()
      .then((deviceId) => {
        this.#deviceId = deviceId;
      })
      .catch(() => undefined);
    client.connect().then(
      () => undefined,
      () => {
        // Rejected only for errors the client will not retry by itself (see onClientState → idle).
      },
    );
  }

  #onClientState(client: GatewayClient, state: ClientState): void {
    if (client !== this.#client || this.#closed) return;
    switch (state) {
      case "open": {
        this.#lastError = undefined;
        this.#approveCommand = undefined;
        this.#setState("open");
        const hello = client.hello;
        if (hello !== undefined) this.#events.emit("hello", hello);
        this.#options.log.info(
          { upstream: this.id, grantedScopes: client.scopes, requestedScopes: this.#options.scopes, ready: this.ready },
          "upstream connected",
        );
        return;
      }
      case "connecting":
      case "handshaking":
      case "reconnecting":
        if (this.#state === "open") this.#options.log.warn({ upstream: this.id }, "upstream connection lost; reconnecting");
        this.#setState(this.#state === "starting" ? "starting" : "reconnecting");
        return;
      case "idle":
        // The client gave up (pausing error): retry on our own, slower schedule.
        this.#pause();
        return;
      case "closed":
        return;
    }
  }

  #pause(): void {
    if (this.#closed) return;
    this.#setState("paused");
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#restart(), this.#options.pausedRetryMs ?? 15_000);
    this.#retryTimer.unref();
  }
}

/** The link is not open: nothing was sent upstream. */
export class UpstreamDownError extends Error {
  override readonly name = "UpstreamDownError";
  readonly upstream: string;
  readonly state: UpstreamState;
  constructor(upstream: string, state: UpstreamState) {
    super(`upstream ${upstream} is not connected (${state})`);
    this.upstream = upstream;
    this.state = state;
  }
}

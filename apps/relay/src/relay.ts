import { createServer as createHttpServer } from "node:http";
import type { IncomingMessage, Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { CloseCodes, MAX_PAYLOAD_BYTES } from "@clawbridge/protocol";
import { GatewayServer } from "@clawbridge/server";
import type { GatewayServerOptions, ServerConnection, SocketInfo } from "@clawbridge/server";
import type { DestinationStream, Logger } from "pino";
import { configWarnings } from "./config/config-warnings.js";
import { formatIssue, loadConfig, resolveConfigPath } from "./config/load-config.js";
import type { ConfigIssue, LoadedConfig } from "./config/load-config.js";
import type { Admission } from "./downstream/client-authenticator.js";
import { createClientAuthenticator } from "./downstream/client-authenticator.js";
import { ClientViews } from "./downstream/client-view.js";
import { ConnectionSlots } from "./downstream/connection-slots.js";
import type { ClientView } from "./downstream/client-view.js";
import { startEventFanout } from "./downstream/event-fanout.js";
import { RelaySession } from "./downstream/relay-session.js";
import { RequestForwarder } from "./downstream/request-forwarder.js";
import { parseRoutePath } from "./downstream/route-path.js";
import { AdminServer } from "./ops/admin-server.js";
import { createLoggers } from "./ops/loggers.js";
import type { RelayLoggers } from "./ops/loggers.js";
import { RelayMetrics } from "./ops/relay-metrics.js";
import { SocketBytes } from "./ops/socket-bytes.js";
import type { ClientPolicy } from "./policy/client-policy.js";
import { CATALOGUE_METHODS } from "./policy/policy-scopes.js";
import { PolicySet, credentialKey } from "./policy/policy-set.js";
import { RateLimits } from "./policy/rate-limits.js";
import { resolveStateDir } from "./state-dir.js";
import { readListenerTls, TlsFileError } from "./tls-options.js";
import type { UpstreamLinkOptions } from "./upstream/upstream-link.js";
import { UpstreamPool } from "./upstream/upstream-pool.js";

/** Options of {@link Relay.start}. */
export interface RelayOptions {
  /** A validated config (see `loadConfig`). Its file is re-read on {@link Relay.reload}. */
  readonly loaded: LoadedConfig;
  /** Environment for secrets and the state dir. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Operational log destination. Default: stderr. */
  readonly logStream?: DestinationStream | undefined;
  /** Audit log destination, overriding `log.audit` (tests). */
  readonly auditStream?: DestinationStream | undefined;
  /** `tick` interval to clients (ms). Default 30 000. */
  readonly tickIntervalMs?: number | undefined;
  /** Upstream link retry knobs (tests shorten them). */
  readonly linkOptions?: Pick<UpstreamLinkOptions, "pausedRetryMs" | "backoff"> | undefined;
}

/** Outcome of {@link Relay.reload}. */
export type ReloadResult = { readonly ok: true; readonly clients: number } | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** Top-level settings a reload does not apply: they need a restart (a change is logged). */
const NON_RELOADABLE = ["listen", "admin", "stateDir", "log", "limits", "upstreams"] as const;

/** The `maxConnections` slot an admission took: claimed by its connection, or given back if the socket died first. */
interface AdmissionSlot {
  readonly release: () => void;
  /** `opened`: its connection holds it; `returned`: given back before the connection opened. */
  state: "pending" | "opened" | "returned";
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The clawbridge relay: to clients it is an OpenClaw gateway (challenge, connect,
 * hello-ok, requests, events), authenticating them with relay-issued credentials and
 * enforcing a per-client policy; to each upstream gateway it is one paired operator
 * device holding one pooled connection. Plus the operations side: TLS and mTLS, an
 * admin listener (`/healthz`, `/readyz`, `/metrics`), a JSON audit log, hot policy
 * reload and graceful drain. Stateless apart from the upstream device identities, so
 * replicas scale out behind any TCP/TLS load balancer.
 */
export class Relay {
  readonly log: Logger;
  readonly metrics = new RelayMetrics();
  readonly pool: UpstreamPool;
  readonly server: GatewayServer;
  readonly #loaded: LoadedConfig;
  readonly #loggers: RelayLoggers;
  readonly #views: ClientViews;
  readonly #forwarder: RequestForwarder;
  readonly #listener: HttpServer | HttpsServer;
  readonly #admin: AdminServer;
  readonly #bytes: SocketBytes;
  /** Admissions by socket nonce, from `authenticate` until the connection opens (`hello-ok` is built from them). */
  readonly #admissions = new Map<string, { admission: Admission; view: ClientView; atMs: number; slot: AdmissionSlot }>();
  /** Per-client connection counts (`maxConnections`). */
  readonly #slots = new ConnectionSlots();
  /** The slot each open connection holds, given back when it closes (any close: client, reload, drain, keepalive). */
  readonly #connectionSlots = new WeakMap<ServerConnection, () => void>();
  readonly #upgraded = new Set<Duplex>();
  /** Deadline of each socket that has not sent its upgrade request yet. */
  readonly #preUpgradeTimers = new WeakMap<Duplex, ReturnType<typeof setTimeout>>();
  #policies: PolicySet;
  #stopFanout: () => void = () => undefined;
  #port = 0;
  #adminPort = 0;
  #draining = false;
  #drained: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  private constructor(options: RelayOptions, tls: Awaited<ReturnType<typeof readListenerTls>>) {
    const { loaded } = options;
    const config = loaded.config;
    this.#loaded = loaded;
    this.#loggers = createLoggers({
      level: config.log.level,
      logStream: options.logStream,
      audit:
        options.auditStream ??
        (config.log.audit === "stderr" ? "stderr" : { file: resolveConfigPath(loaded, config.log.audit.file) }),
    });
    this.log = this.#loggers.log;
    this.#policies = new PolicySet(config);
    this.pool = new UpstreamPool({
      config,
      policies: this.#policies,
      baseDir: loaded.baseDir,
      stateDir: resolveStateDir(loaded, options.env),
      log: this.log,
      env: options.env,
      linkOptions: options.linkOptions,
    });
    this.#views = new ClientViews(this.pool);
    const knownMethods = new Set(CATALOGUE_METHODS);
    this.#forwarder = new RequestForwarder({
      policies: () => this.#policies,
      pool: this.pool,
      rateLimits: new RateLimits(),
      metrics: this.metrics,
      auditLine: this.#loggers.auditLine,
      limits: config.limits,
      draining: () => this.#draining,
      methodLabel: (method) => (knownMethods.has(method) ? method : "(other)"),
    });
    this.server = new GatewayServer(this.#serverOptions(options.tickIntervalMs));
    const register = (methods: Iterable<string>): void => {
      for (const method of methods) {
        if (method === "connect" || this.server.router.has(method)) continue;
        knownMethods.add(method);
        this.server.router.register(method, this.#forwarder.handle);
      }
    };
    // The router only serves registered names: every catalogue method now, and whatever an upstream advertises later.
    register(CATALOGUE_METHODS);
    for (const link of this.pool.links.values()) link.onHello((hello) => register(hello.features.methods));
    for (const link of this.pool.links.values()) {
      let wasOpen = false;
      link.onState((state) => {
        this.metrics.upstreamUp.set({ upstream: link.id }, link.ready ? 1 : 0);
        // Count losses of an open connection, not each retry of a paused one.
        if (state === "open") wasOpen = true;
        else if (wasOpen) {
          wasOpen = false;
          this.metrics.upstreamDisconnects.inc({ upstream: link.id });
        }
      });
      this.metrics.upstreamUp.set({ upstream: link.id }, 0);
      this.metrics.connections.set({ upstream: link.id }, 0);
      // Present from the start (at 0), so rate() and alerts work before the first loss.
      this.metrics.upstreamDisconnects.inc({ upstream: link.id }, 0);
    }
    this.server.onConnection((connection) => this.#onConnection(connection));
    this.server.onDisconnect(({ connection, code }) => this.#onDisconnect(connection, code));

    this.#bytes = new SocketBytes(this.metrics.clientBytes);
    // Before its upgrade a socket gets the connect handshake's deadline for its TLS handshake
    // and its request headers, instead of Node's 120 s and 60-90 s: a client in another
    // cluster cannot hold sockets open by never finishing either. (A timer of our own: Node's
    // headersTimeout missed sockets accepted before another socket's upgrade.)
    const preUpgradeMs = config.limits.handshakeTimeoutMs;
    this.#listener =
      tls === undefined
        ? createHttpServer()
        : createHttpsServer({
            ...tls.context,
            handshakeTimeout: preUpgradeMs,
            requestCert: tls.requestCert,
            rejectUnauthorized: tls.rejectUnauthorized,
          });
    // Sockets not yet upgraded count too: at most maxConnections of them next to the upgraded
    // ones (which get a 503 beyond maxConnections); beyond that new sockets are dropped at accept.
    this.#listener.maxConnections = 2 * config.listen.maxConnections;
    this.#listener.on("connection", (socket: Socket) => {
      socket.setNoDelay(true);
      this.#bytes.track(socket);
    });
    // The TLS socket once its handshake is done (bounded by handshakeTimeout above), else the TCP socket.
    this.#listener.on(tls === undefined ? "connection" : "secureConnection", (socket: Socket) => {
      const timer = setTimeout(() => socket.destroy(), preUpgradeMs);
      this.#preUpgradeTimers.set(socket, timer);
      socket.once("close", () => clearTimeout(timer));
    });
    this.#listener.on("request", (_req, res) => {
      res.writeHead(426, { "content-type": "application/json", upgrade: "websocket" });
      res.end('{"error":"this is a WebSocket endpoint: connect to / or /gw/<upstream>"}\n');
    });
    this.#listener.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#onUpgrade(req, socket, head));
    this.#admin = new AdminServer({
      readiness: () => this.readiness(),
      metrics: () => {
        this.#bytes.collect();
        return this.metrics.render();
      },
    });
  }

  /**
   * Starts a relay: the client and admin listeners bind, then upstream links begin
   * connecting (in the background; `/readyz` says when they are up). When a listener
   * cannot bind (port in use, bad address) nothing has reached an upstream: everything is
   * closed and the error is thrown.
   */
  static async start(options: RelayOptions): Promise<Relay> {
    const relay = new Relay(options, await readListenerTls(options.loaded));
    for (const warning of configWarnings(options.loaded.config)) relay.log.warn(warning);
    try {
      await relay.#listen();
    } catch (error) {
      await relay.close({ reason: "relay failed to start" });
      throw error;
    }
    return relay;
  }

  /** Port of the client listener. */
  get port(): number {
    return this.#port;
  }

  /** Port of the admin listener. */
  get adminPort(): number {
    return this.#adminPort;
  }

  /** `ws://host:port` (or `wss://`) of the client listener. */
  get url(): string {
    const host = this.#loaded.config.listen.host;
    const scheme = this.#loaded.config.listen.tls === undefined ? "ws" : "wss";
    return `${scheme}://${host.includes(":") ? `[${host}]` : host}:${this.#port}`;
  }

  /** `http://host:port` of the admin listener. */
  get adminUrl(): string {
    const host = this.#loaded.config.admin.host;
    return `http://${host.includes(":") ? `[${host}]` : host}:${this.#adminPort}`;
  }

  /** The policy generation in force. */
  get policies(): PolicySet {
    return this.#policies;
  }

  /** Requests forwarded upstream and not yet answered. */
  get inFlight(): number {
    return this.#forwarder.inFlight;
  }

  /** True from {@link drain} on. */
  get draining(): boolean {
    return this.#draining;
  }

  /** What `/readyz` reports: ready when not draining and every upstream is connected and authorized. */
  readiness(): { ready: boolean; body: Record<string, unknown> } {
    const ready = !this.#draining && this.pool.ready;
    return { ready, body: { draining: this.#draining, upstreams: this.pool.status() } };
  }

  /**
   * Re-reads the config file and swaps in its client policies atomically. A file that
   * does not parse or validate changes nothing (the issues are logged and returned).
   * Connections of clients that were removed, whose credentials changed, or whose
   * upstream is no longer allowed are closed 4001 `client invalidated: …`; every other
   * connection stays and its next request is judged by the new policy. TLS certificate
   * files are re-read (rotation without a restart). Other listener, admin, upstream and
   * limit settings need a restart (a change is logged).
   */
  async reload(): Promise<ReloadResult> {
    const result = await loadConfig(this.#loaded.file);
    const fail = (issues: readonly ConfigIssue[]): ReloadResult => {
      this.metrics.reloads.inc({ outcome: "invalid" });
      this.log.error({ issues: issues.map(formatIssue) }, "policy reload failed; still serving the previous policy");
      return { ok: false, issues };
    };
    if (!result.ok) return fail(result.issues);
    const next = result.loaded.config;
    const missing: ConfigIssue[] = [];
    for (const [id, client] of Object.entries(next.clients)) {
      client.upstreams.forEach((upstream, index) => {
        if (this.pool.get(upstream) === undefined) {
          missing.push({
            file: this.#loaded.file,
            position: undefined,
            path: `clients.${id}.upstreams[${index}]`,
            message: `upstream "${upstream}" is not running; adding an upstream needs a restart`,
          });
        }
      });
    }
    if (missing.length > 0) return fail(missing);
    if (this.#loaded.config.listen.tls !== undefined && next.listen.tls !== undefined) {
      // New certificate files (a rotation) apply to new TLS handshakes; open sockets keep theirs.
      try {
        const tls = await readListenerTls(result.loaded);
        if (tls !== undefined) (this.#listener as HttpsServer).setSecureContext(tls.context);
      } catch (error) {
        if (!(error instanceof TlsFileError)) throw error;
        return fail([
          { file: this.#loaded.file, position: result.loaded.locate?.(error.setting.split(".")), path: error.setting, message: error.detail },
        ]);
      }
    }
    // TLS files are reloaded (below); every other non-reloadable change is only reported.
    const comparable = (config: typeof next, key: (typeof NON_RELOADABLE)[number]): string =>
      JSON.stringify(key === "listen" ? { ...config.listen, tls: undefined } : config[key]);
    for (const key of NON_RELOADABLE) {
      if (comparable(next, key) !== comparable(this.#loaded.config, key)) {
        this.log.warn({ setting: key }, `${key} changed in the config file; it takes effect at the next restart`);
      }
    }
    const previous = this.#policies;
    const policies = new PolicySet(next);
    this.#policies = policies;
    for (const connection of [...this.server.connections]) {
      const session = RelaySession.of(connection);
      if (session === undefined) continue;
      const now = policies.clients.get(session.clientId);
      const before = previous.clients.get(session.clientId);
      let reason: string | undefined;
      if (now === undefined) reason = "removed from relay config";
      else if (before !== undefined && credentialKey(before) !== credentialKey(now)) reason = "credentials changed";
      else if (!now.upstreams.includes(session.upstreamId)) reason = "upstream no longer allowed";
      if (reason !== undefined) connection.close(CloseCodes.AUTH_CHANGED, `client invalidated: ${reason}`);
    }
    this.metrics.reloads.inc({ outcome: "ok" });
    this.log.info({ clients: policies.clients.size }, "policy reloaded");
    // Upstream connections keep the scopes they requested at start: reconnecting to ask for more
    // would drop every client's in-flight requests and, on a gateway that paired the relay for
    // fewer scopes, park the whole upstream on a scope-upgrade approval. Say what is missing.
    for (const [upstream, scopes] of this.pool.scopesPendingRestart(policies)) {
      const link = this.pool.get(upstream);
      this.log.warn(
        { upstream, scopesPendingRestart: scopes, requestedScopes: link?.requestedScopes },
        `upstream ${upstream}: the reloaded policy needs scopes the relay did not request (${scopes.join(", ")}); ` +
          `calls needing them fail upstream with MISSING_SCOPE until the relay restarts (or set upstreams.${upstream}.scopes and restart; ` +
          "the gateway may ask to approve the scope upgrade)",
      );
    }
    return { ok: true, clients: policies.clients.size };
  }

  /**
   * Graceful stop (SIGTERM): stop accepting connections, refuse new requests with a
   * retryable `RELAY_DRAINING`, let in-flight requests finish for up to `timeoutMs`
   * (default `limits.drainTimeoutMs`), then send `shutdown` and close every client
   * socket 1012 `service restart` and the upstream links.
   */
  drain(timeoutMs: number = this.#loaded.config.limits.drainTimeoutMs): Promise<void> {
    if (this.#drained !== undefined) return this.#drained;
    this.#draining = true;
    this.log.info({ inFlight: this.#forwarder.inFlight, timeoutMs }, "draining");
    this.#drained = (async () => {
      this.#listener.close();
      const finished = await Promise.race([this.#forwarder.whenIdle().then(() => true), delay(timeoutMs).then(() => false)]);
      // The last answer is written a few promise hops after its request leaves the in-flight count;
      // one macrotask turn lets every such write reach the socket before the close frames do.
      await new Promise((resolve) => setImmediate(resolve));
      if (!finished) this.log.warn({ inFlight: this.#forwarder.inFlight }, "drain deadline passed; closing with requests in flight");
      await this.close({ reason: "relay draining" });
    })();
    return this.#drained;
  }

  /** Closes everything at once (sockets 1012, links, listeners). Idempotent. */
  close(options: { reason?: string } = {}): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    this.#draining = true;
    this.#closed = (async () => {
      this.#stopFanout();
      this.#listener.close();
      await this.server.close({ reason: options.reason ?? "relay stopping", graceMs: 1_000 });
      for (const socket of this.#upgraded) socket.destroy();
      this.#listener.closeAllConnections();
      await Promise.all([this.pool.close(), this.#admin.close()]);
      this.log.info("relay stopped");
      this.#loggers.flush();
    })();
    return this.#closed;
  }

  /** Binds the client and admin listeners, then (only then) connects the upstreams. */
  async #listen(): Promise<void> {
    const { listen, admin } = this.#loaded.config;
    // Say which listener failed: both report EADDRINUSE the same way.
    const which = (setting: "listen" | "admin") => (error: unknown) => {
      if (error instanceof Error) Object.assign(error, { setting });
      throw error;
    };
    await new Promise<void>((resolve, reject) => {
      this.#listener.once("error", reject);
      this.#listener.listen(listen.port, listen.host, () => {
        this.#listener.off("error", reject);
        resolve();
      });
    }).catch(which("listen"));
    this.#port = (this.#listener.address() as AddressInfo).port;
    this.#adminPort = await this.#admin.listen(admin.host, admin.port).catch(which("admin"));
    this.pool.start();
    this.#stopFanout = startEventFanout({
      server: this.server,
      pool: this.pool,
      metrics: this.metrics,
      policies: () => this.#policies,
      scopesFor: (policy, upstreamId) => this.#viewOf(policy, upstreamId).scopes,
    });
    this.log.info(
      { url: this.url, admin: this.adminUrl, upstreams: [...this.pool.links.keys()], clients: this.#policies.clients.size },
      "relay listening",
    );
  }

  #viewOf(policy: ClientPolicy, upstreamId: string): ClientView {
    return this.#views.viewOf(this.#policies, policy, upstreamId);
  }

  /**
   * Options of the client-facing GatewayServer. `hello-ok.features` differ per client:
   * the server asks for them with the connection being answered, whose socket nonce
   * finds the admission `authenticate` just made.
   */
  #serverOptions(tickIntervalMs: number | undefined): GatewayServerOptions {
    const authenticate = createClientAuthenticator({
      policies: () => this.#policies,
      upstreamIds: new Set(this.pool.links.keys()),
      scopesFor: (policy, upstreamId) => this.#viewOf(policy, upstreamId).scopes,
      connectionsOf: (clientId) => this.#slots.count(clientId),
      admitted: (socket, admission) => this.#admit(socket, admission),
      refused: (socket, info) => {
        this.metrics.handshakes.inc({ outcome: "rejected" });
        if (info.rule !== undefined) this.metrics.denials.inc({ rule: info.rule, client: info.clientId ?? "(unknown)" });
        this.#loggers.audit.info(
          { event: "connect", decision: "deny", reason: info.reason, client: info.clientId, device: info.deviceId, upstream: info.upstream, remote: socket.remoteAddress },
          "connect",
        );
      },
    });
    const options: GatewayServerOptions = {
      authenticate,
      authorize: this.#forwarder.authorize,
      handshakeTimeoutMs: this.#loaded.config.limits.handshakeTimeoutMs,
      tickIntervalMs,
      maxPayloadBytes: MAX_PAYLOAD_BYTES,
      methods: (connection) => this.#admittedView(connection)?.methods ?? [],
      events: (connection) => this.#admittedView(connection)?.events ?? [],
      capabilities: (connection) => this.#admittedView(connection)?.capabilities,
      // The upstream's presence and health describe its nodes and channels; clients ask for them through policy.
      snapshot: () => ({ presence: [], health: {}, stateVersion: { presence: 0, health: 0 }, uptimeMs: this.server.uptimeMs }),
    };
    return options;
  }

  /** The policy view of the connection being answered (until {@link #onConnection} claims its admission). */
  #admittedView(connection: ServerConnection): ClientView | undefined {
    return this.#admissions.get(connection.socket.nonce)?.view;
  }

  #admit(socket: SocketInfo, admission: Admission): void {
    const now = Date.now();
    // An admission whose socket died before hello-ok is never claimed; forget it after a minute.
    for (const [nonce, entry] of this.#admissions) if (now - entry.atMs > 60_000) this.#admissions.delete(nonce);
    // The slot is taken now, in the step that checked the cap. The server opens the connection in the
    // same macrotask as a synchronous authenticate (its `await` resumes on the microtask queue), so a
    // slot still unclaimed at setImmediate belongs to a socket that closed before hello-ok: give it back.
    const slot: AdmissionSlot = { release: this.#slots.take(admission.policy.id), state: "pending" };
    setImmediate(() => {
      if (slot.state !== "pending") return;
      slot.state = "returned";
      slot.release();
    });
    this.#admissions.set(socket.nonce, { admission, view: this.#viewOf(admission.policy, admission.upstreamId), atMs: now, slot });
  }

  /** Connections (open, or admitted and about to open) `clientId` holds against its `maxConnections`. */
  connectionsOf(clientId: string): number {
    return this.#slots.count(clientId);
  }

  #onConnection(connection: ServerConnection): void {
    const entry = this.#admissions.get(connection.socket.nonce);
    this.#admissions.delete(connection.socket.nonce);
    if (entry === undefined) {
      // Only if the admission was forgotten (over a minute between connect and hello-ok): its hello-ok was empty.
      this.log.error({ conn: connection.connId }, "no admission for this socket; closing it to retry");
      connection.close(CloseCodes.TRY_AGAIN_LATER, "relay busy; retry");
      return;
    }
    const { admission } = entry;
    if (entry.slot.state === "pending") {
      entry.slot.state = "opened";
      this.#connectionSlots.set(connection, entry.slot.release);
    } else {
      // Unreachable with a synchronous authenticate; should the server ever open later, count it anyway.
      this.#connectionSlots.set(connection, this.#slots.take(admission.policy.id));
    }
    new RelaySession({
      clientId: admission.policy.id,
      upstreamId: admission.upstreamId,
      deviceId: admission.deviceId,
      connId: connection.connId,
    }).attach(connection);
    this.metrics.handshakes.inc({ outcome: "accepted" });
    this.metrics.connections.inc({ upstream: admission.upstreamId });
    this.#loggers.audit.info(
      {
        event: "connect",
        decision: "allow",
        client: admission.policy.id,
        upstream: admission.upstreamId,
        conn: connection.connId,
        device: admission.deviceId,
        remote: connection.socket.remoteAddress,
        scopes: admission.scopes,
      },
      "connect",
    );
  }

  #onDisconnect(connection: ServerConnection, code: number): void {
    this.#connectionSlots.get(connection)?.();
    this.#connectionSlots.delete(connection);
    const session = RelaySession.of(connection);
    if (session === undefined) return;
    session.abandon();
    this.metrics.connections.dec({ upstream: session.upstreamId });
    this.#loggers.audit.info(
      { event: "disconnect", client: session.clientId, upstream: session.upstreamId, conn: session.connId, code },
      "disconnect",
    );
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // From here the connect handshake's own deadline applies.
    clearTimeout(this.#preUpgradeTimers.get(socket));
    this.#preUpgradeTimers.delete(socket);
    const reject = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const path = new URL(req.url ?? "/", "http://relay.invalid").pathname;
    if (!parseRoutePath(path).ok) {
      reject(404, "Not Found");
      return;
    }
    if (this.#draining) {
      reject(503, "Service Unavailable");
      return;
    }
    if (this.#upgraded.size >= this.#loaded.config.listen.maxConnections) {
      reject(503, "Service Unavailable");
      return;
    }
    this.#upgraded.add(socket);
    socket.once("close", () => this.#upgraded.delete(socket));
    // Nothing from this request (headers, cookies, forwarding info) ever reaches an upstream:
    // the relay talks to upstreams over its own connections with its own credentials.
    this.server.handleUpgrade(req, socket, head);
  }
}

import { createServer as createHttpServer } from "node:http";
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { ServerOptions as HttpsServerOptions, Server as HttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import {
  CloseCodes,
  ErrorCodes,
  HANDSHAKE_TIMEOUT_MS,
  KEEPALIVE_INTERVAL_MS,
  MAX_BUFFERED_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_PENDING_HANDSHAKE_FRAMES,
  MAX_PREAUTH_PAYLOAD_BYTES,
  TICK_INTERVAL_MS,
  authorizeMethod,
} from "@clawbridge/protocol";
import type { ErrorShape, HelloFeatures, Snapshot, StateVersion } from "@clawbridge/protocol";
import { Router, TypedEmitter, WebSocketTransport, gatewayError } from "@clawbridge/rpc-core";
import type { AuthorizeHook } from "@clawbridge/rpc-core";
import { WebSocketServer } from "ws";
import type WebSocket from "ws";
import { ADVERTISED_EVENTS, CHALLENGE_CAPABILITIES } from "./advertised-events.js";
import type { Authenticate } from "./authenticator.js";
import { canReceiveEvent } from "./event-scopes.js";
import { attributeIngress } from "./ingress-attribution.js";
import type { IngressAttribution } from "./ingress-attribution.js";
import type { ResolvedServerOptions, ServerRuntime } from "./server-runtime.js";
import type { ServerConnection } from "./server-connection.js";
import { SocketSession } from "./socket-session.js";

/** OpenClaw release this server impersonates in `hello-ok.server.version` by default. */
export const DEFAULT_SERVER_VERSION = "2026.9.6";

/** Options of {@link GatewayServer}. */
export interface GatewayServerOptions {
  /** Decides who a `connect` is (see `createGatewayAuthenticator`). Required. */
  readonly authenticate: Authenticate;
  /**
   * Replaces the default authorization (protocol scope rules: role gate, admin
   * implication, unknown methods need admin). The flood guard still applies.
   */
  readonly authorize?: AuthorizeHook<ServerConnection> | undefined;
  /** `hello-ok.server.version`. Default {@link DEFAULT_SERVER_VERSION}. */
  readonly version?: string | undefined;
  /** Further `hello-ok.server` fields (`buildId`, `bootId`, `controlUiBuildSource`). Default: none. */
  readonly serverInfo?: ServerInfoExtras | undefined;
  /** `hello-ok.snapshot` of a new connection. Default: empty presence/health, `uptimeMs` of this server. */
  readonly snapshot?: ((connection: ServerConnection) => Snapshot) | undefined;
  /**
   * `hello-ok.features.methods`, computed for the connection being answered (its principal,
   * connect params and socket are set), so a server can advertise per client. Default: the
   * router's registered methods minus `connect`.
   */
  readonly methods?: ((connection: ServerConnection) => readonly string[]) | undefined;
  /**
   * `hello-ok.features.events`: a list, or a function of the connection being answered (as
   * `methods`). Default: the 64 events of OpenClaw 2026.9.6.
   */
  readonly events?: readonly string[] | ((connection: ServerConnection) => readonly string[]) | undefined;
  /**
   * `hello-ok.features.capabilities`: a list, or a function of the connection being answered
   * (returning undefined omits the field). Default: omitted.
   */
  readonly capabilities?: readonly string[] | ((connection: ServerConnection) => readonly string[] | undefined) | undefined;
  /** `connect.challenge` capabilities. Default `["model-catalog-snapshot"]`. */
  readonly challengeCapabilities?: readonly string[] | undefined;
  /**
   * Extra `hello-ok.policy` fields (e.g. `attachments`, `allowedSessionVisibilities`);
   * the three limits below always win. Default: none.
   */
  readonly policyExtras?: Readonly<Record<string, unknown>> | undefined;
  /** Largest frame after hello (bytes), enforced by `ws` (close 1009). Default 26 214 400. */
  readonly maxPayloadBytes?: number | undefined;
  /** Outbound buffer limit per socket (bytes); above it: close 1008 `slow consumer`. Default 52 428 800. */
  readonly maxBufferedBytes?: number | undefined;
  /** Largest frame before hello (bytes); above it: close 1009. Default 65 536. */
  readonly maxPreauthPayloadBytes?: number | undefined;
  /** Frames queued while `connect` is processed; one more closes 1008. Default 15. */
  readonly maxPendingHandshakeFrames?: number | undefined;
  /** No `hello-ok` within this time (ms) closes 1000 with an empty reason. Default 15 000. */
  readonly handshakeTimeoutMs?: number | undefined;
  /** `tick` interval (ms), also `policy.tickIntervalMs`. Default 30 000. */
  readonly tickIntervalMs?: number | undefined;
  /** WebSocket ping interval after hello (ms); a missed pong terminates. 0 disables. Default 25 000. */
  readonly keepaliveIntervalMs?: number | undefined;
  /** Consecutive `unauthorized role:` answers tolerated; one more closes 1008. Default 10. */
  readonly unauthorizedFloodLimit?: number | undefined;
  /**
   * Proxies whose `X-Forwarded-For` is believed (IP literals or CIDRs), as OpenClaw's
   * `gateway.trustedProxies`. When set (even to `[]`), an upgrade carrying forwarding headers
   * that cannot be attributed — from an untrusted peer, or from a trusted proxy naming no
   * non-loopback client — is refused with HTTP 403 `proxy_attribution_required`, as OpenClaw
   * 2026.9.6 does; behind a trusted proxy the socket's `clientIp` is the forwarded client.
   * Default: undefined — forwarding headers only make a socket non-local (for servers that
   * sit behind their own load balancer, such as the relay).
   */
  readonly trustedProxies?: readonly string[] | undefined;
}

/** Optional `hello-ok.server` fields a real gateway sends next to `version` and `connId`. */
export interface ServerInfoExtras {
  /** Build identifier (1..96 chars), e.g. `2026.9.6-release-<commit>-<date>`. */
  readonly buildId?: string | undefined;
  /** Per-process boot id (uuid); changes on every restart. */
  readonly bootId?: string | undefined;
  /** Where the Control UI bundle comes from. */
  readonly controlUiBuildSource?: "bundled" | "configured" | undefined;
}

/** Options of {@link GatewayServer.listen}. */
export interface ListenOptions {
  /** Bind address. Default `127.0.0.1`. */
  readonly host?: string | undefined;
  /** Port; 0 picks a free one. Default 0. */
  readonly port?: number | undefined;
  /** TLS material (`key`, `cert`, …): serve `wss://`. Default: plain `ws://`. */
  readonly tls?: HttpsServerOptions | undefined;
}

/** Options of {@link GatewayServer.broadcast}. */
export interface BroadcastOptions {
  /** Extra recipient filter, after the event scope guards. */
  readonly filter?: ((connection: ServerConnection) => boolean) | undefined;
  /** Drop (still consuming a `seq`) for slow sockets instead of closing them. */
  readonly dropIfSlow?: boolean | undefined;
  readonly stateVersion?: StateVersion | undefined;
}

/** Options of {@link GatewayServer.close}. */
export interface ShutdownOptions {
  /** `shutdown.reason`. Default `gateway stopping`. */
  readonly reason?: string | undefined;
  /** `shutdown.restartExpectedMs` (ms). Default: omitted. */
  readonly restartExpectedMs?: number | undefined;
  /** How long to wait for close handshakes before terminating sockets (ms). Default 1 000. */
  readonly graceMs?: number | undefined;
}

interface ServerEvents {
  connection: ServerConnection;
  disconnect: { connection: ServerConnection; code: number; reason: string };
}

function resolveOptions(options: GatewayServerOptions): ResolvedServerOptions {
  return {
    authenticate: options.authenticate,
    policyExtras: options.policyExtras ?? {},
    version: options.version ?? DEFAULT_SERVER_VERSION,
    serverInfo: Object.fromEntries(Object.entries(options.serverInfo ?? {}).filter(([, value]) => value !== undefined)),
    challengeCapabilities: options.challengeCapabilities ?? CHALLENGE_CAPABILITIES,
    maxPayloadBytes: options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES,
    maxBufferedBytes: options.maxBufferedBytes ?? MAX_BUFFERED_BYTES,
    maxPreauthPayloadBytes: options.maxPreauthPayloadBytes ?? MAX_PREAUTH_PAYLOAD_BYTES,
    maxPendingHandshakeFrames: options.maxPendingHandshakeFrames ?? MAX_PENDING_HANDSHAKE_FRAMES,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
    tickIntervalMs: options.tickIntervalMs ?? TICK_INTERVAL_MS,
    keepaliveIntervalMs: options.keepaliveIntervalMs ?? KEEPALIVE_INTERVAL_MS,
  };
}

const UNAUTHORIZED_ROLE_PREFIX = "unauthorized role:";

/** OpenClaw's body for an upgrade with unattributable forwarding headers (HTTP 403). */
const PROXY_ATTRIBUTION_REQUIRED_BODY = JSON.stringify({
  error: {
    message:
      "Proxy client attribution is required. Configure gateway.trustedProxies narrowly and make the proxy overwrite or safely rebuild forwarded client headers.",
    type: "proxy_attribution_required",
  },
});

function rejectUpgrade(socket: Duplex, status: string, body: string): void {
  socket.end(
    [
      `HTTP/1.1 ${status}`,
      "Content-Type: application/json; charset=utf-8",
      `Content-Length: ${Buffer.byteLength(body, "utf8")}`,
      "Connection: close",
      "",
      body,
    ].join("\r\n"),
    () => socket.destroy(),
  );
}

/**
 * The gateway side of OpenClaw v4 connections: a `ws` server (`perMessageDeflate`
 * off) that runs the challenge handshake per socket, authenticates `connect` with a
 * pluggable {@link Authenticate}, answers `hello-ok`, then serves requests through
 * {@link router} with the protocol's scope rules. Also: per-socket event `seq`,
 * scope-guarded {@link broadcast}, `tick` events, slow-consumer and flood guards,
 * keepalive pings, and a graceful {@link close} (`shutdown` then 1012).
 *
 * Register methods on {@link router} before clients call them.
 */
export class GatewayServer {
  /** The method table; handlers receive the {@link ServerConnection} as `ctx`. */
  readonly router: Router<ServerConnection>;
  readonly #options: ResolvedServerOptions;
  readonly #raw: GatewayServerOptions;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Set<SocketSession>();
  readonly #connections = new Set<ServerConnection>();
  readonly #events = new TypedEmitter<ServerEvents>(() => undefined);
  readonly #startedAtMs = Date.now();
  readonly #ownedServers: (HttpServer | HttpsServer)[] = [];
  readonly #attached = new Map<HttpServer | HttpsServer, (req: IncomingMessage, socket: Duplex, head: Buffer) => void>();
  readonly #runtime: ServerRuntime;
  /** Attribution of upgrades in flight, handed from `handleUpgrade` to the new session. */
  readonly #ingress = new WeakMap<IncomingMessage, IngressAttribution>();
  #tickTimer: ReturnType<typeof setInterval> | undefined;
  #ticksEnabled = true;
  #closing = false;

  constructor(options: GatewayServerOptions) {
    this.#raw = options;
    this.#options = resolveOptions(options);
    const floodLimit = options.unauthorizedFloodLimit ?? 10;
    const authorize = options.authorize ?? defaultAuthorize;
    this.router = new Router<ServerConnection>({
      authorize: async (method, params, connection) => {
        const denial = await authorize(method, params, connection);
        this.#floodGuard(connection, denial, floodLimit);
        return denial;
      },
    });
    // After hello, `connect` is an ordinary (admin-only) method with a fixed answer, as in OpenClaw.
    this.router.register("connect", () => {
      throw gatewayError(ErrorCodes.INVALID_REQUEST, "connect is only valid as the first request");
    });
    this.#wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: this.#options.maxPayloadBytes,
    });
    this.#runtime = {
      options: this.#options,
      router: this.router,
      features: (connection) => this.#features(connection),
      snapshot: (connection) => this.#snapshot(connection),
      register: (connection) => this.#register(connection),
      forget: (session) => {
        this.#sessions.delete(session);
      },
    };
    this.#wss.on("connection", (socket: WebSocket, request: IncomingMessage) => this.#accept(socket, request));
    this.#startTicks();
  }

  /** Resolved limits (bytes, ms) in force. */
  get options(): ResolvedServerOptions {
    return this.#options;
  }

  /** Authenticated connections (after `hello-ok`). */
  get connections(): ReadonlySet<ServerConnection> {
    return this.#connections;
  }

  /** Server uptime (ms). */
  get uptimeMs(): number {
    return Date.now() - this.#startedAtMs;
  }

  /** Subscribes to new authenticated connections (fired right after `hello-ok` is sent). */
  onConnection(listener: (connection: ServerConnection) => void): () => void {
    return this.#events.on("connection", listener);
  }

  /** Subscribes to closes of authenticated connections. */
  onDisconnect(listener: (event: { connection: ServerConnection; code: number; reason: string }) => void): () => void {
    return this.#events.on("disconnect", listener);
  }

  /**
   * Creates an HTTP(S) server, serves the gateway socket on every path, and listens.
   * Plain HTTP requests get `/healthz` and `/readyz` (200) or 404.
   *
   * @returns the `ws://`/`wss://` URL and the bound port
   */
  async listen(options: ListenOptions = {}): Promise<{ url: string; port: number }> {
    const host = options.host ?? "127.0.0.1";
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      const path = (req.url ?? "/").split("?")[0];
      const ok = path === "/healthz" || path === "/readyz";
      res.writeHead(ok ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify(ok ? { ok: true } : { ok: false, error: "not found" }));
    };
    const server = options.tls === undefined ? createHttpServer(onRequest) : createHttpsServer(options.tls, onRequest);
    this.#ownedServers.push(server);
    this.attach(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const hostPart = host.includes(":") ? `[${host}]` : host;
    return { url: `${options.tls === undefined ? "ws" : "wss"}://${hostPart}:${port}`, port };
  }

  /** Serves the gateway socket on a caller's HTTP(S) server (its `upgrade` event, every path). */
  attach(server: HttpServer | HttpsServer): void {
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => this.handleUpgrade(req, socket, head);
    this.#attached.set(server, onUpgrade);
    server.on("upgrade", onUpgrade);
  }

  /** Upgrades one request to a gateway socket (for callers that route upgrades themselves). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const trustedProxies = this.#raw.trustedProxies;
    if (trustedProxies !== undefined) {
      const attribution = attributeIngress(request.socket.remoteAddress, request.headers, trustedProxies);
      if (attribution.kind === "unattributable-proxy") {
        rejectUpgrade(socket, "403 Forbidden", PROXY_ATTRIBUTION_REQUIRED_BODY);
        return;
      }
      this.#ingress.set(request, attribution);
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#wss.emit("connection", ws, request));
  }

  /**
   * Sends a broadcast event (with each socket's next `seq`) to every authenticated
   * socket allowed to see it (event scope guards, then `filter`).
   *
   * @returns how many sockets it was written to
   */
  broadcast(event: string, payload?: unknown, options: BroadcastOptions = {}): number {
    let delivered = 0;
    for (const connection of [...this.#connections]) {
      if (!canReceiveEvent(connection.role, connection.scopes, event)) continue;
      if (options.filter !== undefined && !options.filter(connection)) continue;
      const sent = connection.sendEvent(event, payload, {
        seq: true,
        dropIfSlow: options.dropIfSlow,
        stateVersion: options.stateVersion,
      });
      if (sent) delivered += 1;
    }
    return delivered;
  }

  /** Stops or restarts the `tick` timer (fault injection: a stalled gateway sends no ticks). */
  setTicksEnabled(enabled: boolean): void {
    this.#ticksEnabled = enabled;
  }

  /**
   * Graceful stop: broadcasts `shutdown {reason, restartExpectedMs?}`, closes every
   * socket 1012 `service restart` (sockets still in the handshake too), then closes the
   * HTTP servers this instance created. Idempotent.
   */
  async close(options: ShutdownOptions = {}): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#tickTimer !== undefined) clearInterval(this.#tickTimer);
    const payload: Record<string, unknown> = { reason: options.reason ?? "gateway stopping" };
    if (options.restartExpectedMs !== undefined) payload["restartExpectedMs"] = options.restartExpectedMs;
    this.broadcast("shutdown", payload);
    const sessions = [...this.#sessions];
    for (const session of sessions) session.close(CloseCodes.SERVICE_RESTART, "service restart");
    const deadline = Date.now() + (options.graceMs ?? 1_000);
    while (sessions.some((session) => session.isOpen) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const session of sessions) if (session.isOpen) session.terminate();
    for (const [server, listener] of this.#attached) server.off("upgrade", listener);
    this.#attached.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await Promise.all(
      this.#ownedServers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  #accept(socket: WebSocket, request: IncomingMessage): void {
    if (this.#closing) {
      socket.close(CloseCodes.SERVICE_RESTART, "service restart");
      return;
    }
    // Nagle would delay small frames (challenge, responses) by up to 40 ms on loopback.
    (request.socket as Socket).setNoDelay?.(true);
    const session = new SocketSession(this.#runtime, new WebSocketTransport(socket), request, this.#ingress.get(request));
    if (session.isOpen) this.#sessions.add(session);
  }

  #features(connection: ServerConnection): HelloFeatures {
    const features: HelloFeatures = {
      // OpenClaw does not advertise `connect` (it is callable only as the handshake).
      methods: [...(this.#raw.methods?.(connection) ?? this.router.methods.filter((method) => method !== "connect"))],
      events: [...((typeof this.#raw.events === "function" ? this.#raw.events(connection) : this.#raw.events) ?? ADVERTISED_EVENTS)],
    };
    const capabilities = typeof this.#raw.capabilities === "function" ? this.#raw.capabilities(connection) : this.#raw.capabilities;
    if (capabilities !== undefined) features.capabilities = [...capabilities];
    return features;
  }

  #snapshot(connection: ServerConnection): Snapshot {
    if (this.#raw.snapshot !== undefined) return this.#raw.snapshot(connection);
    return { presence: [], health: {}, stateVersion: { presence: 0, health: 0 }, uptimeMs: this.uptimeMs };
  }

  #register(connection: ServerConnection): void {
    this.#connections.add(connection);
    connection.onClose((info) => {
      this.#connections.delete(connection);
      this.#events.emit("disconnect", { connection, code: info.code, reason: info.reason });
    });
    this.#events.emit("connection", connection);
  }

  #floodGuard(connection: ServerConnection, denial: ErrorShape | undefined, limit: number): void {
    if (denial?.message.startsWith(UNAUTHORIZED_ROLE_PREFIX) !== true) {
      connection.unauthorizedStreak = 0;
      return;
    }
    connection.unauthorizedStreak += 1;
    if (connection.unauthorizedStreak > limit) {
      // Closed after this answer is written, as OpenClaw does (queueMicrotask after send).
      setImmediate(() => connection.close(CloseCodes.POLICY_VIOLATION, "repeated unauthorized calls"));
    }
  }

  #startTicks(): void {
    this.#tickTimer = setInterval(() => {
      if (this.#ticksEnabled) this.broadcast("tick", { ts: Date.now() }, { dropIfSlow: true });
    }, this.#options.tickIntervalMs);
    this.#tickTimer.unref();
  }
}

/** Protocol scope rules (`authorizeMethod`) applied to the connection's principal. */
function defaultAuthorize(method: string, params: unknown, connection: ServerConnection): ErrorShape | undefined {
  return authorizeMethod({ role: connection.role, scopes: connection.scopes }, method, params);
}

import { randomUUID } from "node:crypto";
import type { ServerOptions as HttpsServerOptions } from "node:https";
import { OperatorScopes, authorizeMethod, scopeSatisfied } from "@clawbridge/protocol";
import type { Snapshot } from "@clawbridge/protocol";
import { GatewayRequestError } from "@clawbridge/rpc-core";
import type { RequestHandler } from "@clawbridge/rpc-core";
import { GatewayServer, PairingStore, createGatewayAuthenticator, jsonFilePersistence } from "@clawbridge/server";
import type {
  AuthRateLimitOptions,
  BroadcastOptions,
  GatewayServerOptions,
  PairingRequest,
  ServerConnection,
  SharedSecretConfig,
} from "@clawbridge/server";
import { FaultInjector } from "./fault-injector.js";
import { SERVER_CAPABILITIES_2026_9_6 } from "./server-capabilities.js";
import { ExecApprovalQueue } from "./exec-approval-queue.js";
import type { PendingExecApproval } from "./exec-approval-queue.js";
import { registerNodeHandlers } from "./handlers/node-handlers.js";
import { registerNodeSurfaceHandlers } from "./handlers/node-surface-handlers.js";
import { registerPairingHandlers } from "./handlers/pairing-handlers.js";
import { registerSystemHandlers } from "./handlers/system-handlers.js";
import { LogRing } from "./log-ring.js";
import type { MockRuntime } from "./mock-runtime.js";
import { MockState } from "./mock-state.js";
import type { NodeCommandConfig } from "./node-command-policy.js";
import { NodeInvokeBroker } from "./node-invoke-broker.js";
import { NodeRegistry } from "./node-registry.js";
import type { FakeNodeHandler, NodePairingRequest, NodeRecord } from "./node-registry.js";

/** Options of {@link MockGateway}. */
export interface MockGatewayOptions {
  /** Shared-secret mode: `{token}`, `{password}` or `{none: true}`. */
  readonly auth: { readonly token: string } | { readonly password: string } | { readonly none: true };
  /** Bind address. Default `127.0.0.1`. */
  readonly host?: string | undefined;
  /** Port; 0 picks a free one. Default 0. */
  readonly port?: number | undefined;
  /** Serve `wss://` with this TLS material. */
  readonly tls?: HttpsServerOptions | undefined;
  /** `tick` interval (ms). Default 30 000. */
  readonly tickIntervalMs?: number | undefined;
  /** Pre-auth deadline (ms). Default 15 000. */
  readonly handshakeTimeoutMs?: number | undefined;
  /** Silently approve devices on direct-local sockets. Default true. */
  readonly autoApproveLocal?: boolean | undefined;
  /** Persist the device pairing store to this JSON file. Default: memory only. */
  readonly pairingFile?: string | undefined;
  /** `gateway.nodes.commands.allow` / `deny`. */
  readonly nodeCommands?: NodeCommandConfig | undefined;
  /** Default `node.invoke` timeout (ms). Default 30 000. */
  readonly nodeInvokeTimeoutMs?: number | undefined;
  /** `hello-ok.server.version` and `status.runtimeVersion`. Default `2026.9.6`. */
  readonly version?: string | undefined;
  /** Other server limits (`maxPayloadBytes`, `maxBufferedBytes`, `keepaliveIntervalMs`, …). */
  readonly server?: Partial<Omit<GatewayServerOptions, "authenticate">> | undefined;
  /**
   * `gateway.trustedProxies` (IPs or CIDRs). As on a default OpenClaw gateway, an upgrade with
   * `X-Forwarded-For`/`Forwarded`/`X-Real-IP` from anyone else is refused with HTTP 403. To
   * simulate a remote client in tests, trust loopback (`["127.0.0.1"]`) and send
   * `X-Forwarded-For: <remote ip>`. Default `[]`.
   */
  readonly trustedProxies?: readonly string[] | undefined;
  /** `gateway.controlUi.allowedOrigins` (exact origins or `*`). Default: none. */
  readonly allowedOrigins?: readonly string[] | undefined;
  /**
   * Shared-secret failure limiting, as OpenClaw's: wrong secrets from loopback are answered
   * after 250, 500, … ms (reset by a success); other clients are locked out after 10 failures
   * a minute. `false` turns it off. Default: on, with OpenClaw's numbers.
   */
  readonly authRateLimit?: AuthRateLimitOptions | false | undefined;
}

function sharedSecretOf(auth: MockGatewayOptions["auth"]): SharedSecretConfig {
  if ("token" in auth) return { mode: "token", token: auth.token };
  if ("password" in auth) return { mode: "password", password: auth.password };
  return { mode: "none" };
}

/** A promise that settles only when `signal` aborts (the request's socket closed). */
function hang(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * An in-process OpenClaw Gateway for tests and demos: a {@link GatewayServer} with
 * OpenClaw's handshake and auth, fake state, the core handlers (`health`, `status`,
 * `system-presence`, `node.*`, `device.pair.*`, `exec.approval.list`, `logs.tail`, `last-heartbeat`), a
 * TypeScript admin API, and fault injection ({@link faults}).
 */
export class MockGateway {
  readonly server: GatewayServer;
  readonly pairing: PairingStore;
  readonly nodes: NodeRegistry;
  readonly state: MockState;
  readonly logs = new LogRing();
  readonly faults: FaultInjector;
  readonly invokes: NodeInvokeBroker;
  /** Pending exec approvals served by `exec.approval.list` (add with {@link addExecApproval}). */
  readonly execApprovals = new ExecApprovalQueue();
  readonly #options: MockGatewayOptions;
  #url: string | undefined;
  #port: number | undefined;

  constructor(options: MockGatewayOptions) {
    this.#options = options;
    const version = options.version ?? "2026.9.6";
    this.state = new MockState(version);
    this.pairing = new PairingStore(
      options.pairingFile === undefined ? {} : { persistence: jsonFilePersistence(options.pairingFile) },
    );
    const authenticator = createGatewayAuthenticator({
      sharedSecret: sharedSecretOf(options.auth),
      pairing: this.pairing,
      autoApproveLocal: options.autoApproveLocal,
      allowedOrigins: options.allowedOrigins,
      rateLimit: options.authRateLimit === false ? false : (options.authRateLimit ?? {}),
    });
    this.faults = new FaultInjector((stalled) => this.server.setTicksEnabled(!stalled));
    this.server = new GatewayServer({
      ...options.server,
      trustedProxies: options.trustedProxies ?? options.server?.trustedProxies ?? [],
      authenticate: authenticator.authenticate,
      version,
      tickIntervalMs: options.tickIntervalMs ?? options.server?.tickIntervalMs,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? options.server?.handshakeTimeoutMs,
      snapshot: (connection) => this.#snapshot(connection),
      // Like OpenClaw, callable but unadvertised methods (†) stay out of hello-ok.features.methods.
      methods: options.server?.methods ?? (() => this.server.router.methods.filter((method) => !UNADVERTISED_METHODS.has(method))),
      serverInfo: { buildId: `${version}-clawbridge-mock`, bootId: randomUUID(), controlUiBuildSource: "bundled", ...options.server?.serverInfo },
      capabilities: options.server?.capabilities ?? SERVER_CAPABILITIES_2026_9_6,
      // What a default 2026.9.6 gateway advertises next to the limits.
      policyExtras: {
        attachments: { maxBytes: 19_464_192, maxImageBytes: 6_291_456 },
        allowedSessionVisibilities: ["shared", "read-only", "suggest", "draft"],
        hasMultipleSessionSharingIdentities: false,
        ...options.server?.policyExtras,
      },
      authorize: async (method, params, connection) => {
        // A stalled gateway answers nothing, not even authorization errors.
        if (this.faults.stalled) await hang(closedSignal(connection));
        return (options.server?.authorize ?? defaultAuthorize)(method, params, connection);
      },
    });
    this.nodes = new NodeRegistry(options.nodeCommands);
    this.invokes = new NodeInvokeBroker(options.nodeInvokeTimeoutMs);
    const runtime: MockRuntime = {
      server: this.server,
      state: this.state,
      nodes: this.nodes,
      pairing: this.pairing,
      logs: this.logs,
      invokes: this.invokes,
      wrap: (method, handler) => this.#wrap(method, handler),
      broadcast: (event, payload) => this.server.broadcast(event, payload, { dropIfSlow: true }),
    };
    registerSystemHandlers(runtime);
    registerNodeHandlers(runtime);
    registerNodeSurfaceHandlers(runtime);
    registerPairingHandlers(runtime);
    this.server.router.register(
      "exec.approval.list",
      this.#wrap("exec.approval.list", () => this.execApprovals.listPending()),
    );
    this.pairing.onEvent((event) => {
      if (event.type === "requested") this.server.broadcast("device.pair.requested", event.request, { dropIfSlow: true });
      else {
        const { type: _type, ...payload } = event;
        this.server.broadcast("device.pair.resolved", payload, { dropIfSlow: true });
      }
    });
    this.server.onConnection((connection) => this.#onConnection(connection));
    this.server.onDisconnect(({ connection }) => {
      this.state.clients.disconnect(connection);
      if (connection.role === "node") {
        this.nodes.disconnect(connection);
        this.invokes.failConnection(connection.connId);
      }
      this.logs.append({ subsystem: "gateway/ws", msg: "disconnect", connId: connection.connId });
    });
  }

  /** The gateway URL once started. */
  get url(): string {
    if (this.#url === undefined) throw new Error("MockGateway is not started");
    return this.#url;
  }

  /** The bound port once started. */
  get port(): number {
    if (this.#port === undefined) throw new Error("MockGateway is not started");
    return this.#port;
  }

  /** Starts listening; resolves with the `ws://` (or `wss://`) URL. */
  async start(): Promise<string> {
    const { url, port } = await this.server.listen({ host: this.#options.host, port: this.#options.port, tls: this.#options.tls });
    this.#url = url;
    this.#port = port;
    this.logs.append({ subsystem: "gateway", msg: `listening on ${url}` });
    return url;
  }

  /** Stops: `shutdown` broadcast, sockets closed 1012, server closed. */
  async stop(options: { reason?: string; restartExpectedMs?: number; graceMs?: number } = {}): Promise<void> {
    this.faults.clear();
    await this.server.close(options);
    this.state.eventLoop.stop();
  }

  // ---- admin / test API -------------------------------------------------

  /** Pending device pairing requests. */
  pendingDevicePairings(): PairingRequest[] {
    return this.pairing.listPending();
  }

  /** Approves one device pairing request (or all pending ones without an id). Returns how many. */
  approveDevicePairing(requestId?: string): number {
    const ids = requestId === undefined ? this.pairing.listPending().map((request) => request.requestId) : [requestId];
    return ids.filter((id) => this.pairing.approve(id) !== undefined).length;
  }

  /** Pending node command-surface approvals. */
  pendingNodePairings(): NodePairingRequest[] {
    return this.nodes.listPending();
  }

  /**
   * Approves the command surface of a node: by request id, by node id, or every
   * pending one without an argument. Returns how many were approved.
   */
  approveNodePairing(requestOrNodeId?: string): number {
    const targets = this.nodes
      .listPending()
      .filter((request) => requestOrNodeId === undefined || request.requestId === requestOrNodeId || request.nodeId === requestOrNodeId);
    for (const request of targets) {
      this.nodes.approve(request.requestId);
      this.server.broadcast(
        "node.pair.resolved",
        { requestId: request.requestId, nodeId: request.nodeId, decision: "approved", ts: Date.now() },
        { dropIfSlow: true },
      );
    }
    return targets.length;
  }

  /** Adds a pending exec approval (listed by `exec.approval.list`); returns it. */
  addExecApproval(request: Record<string, unknown>, options: { id?: string; timeoutMs?: number } = {}): PendingExecApproval {
    return this.execApprovals.add(request, options);
  }

  /** Adds a fake node served in-process by `handler` (its commands count as approved). */
  addFakeNode(input: {
    nodeId: string;
    displayName?: string;
    platform?: string;
    commands?: readonly string[];
    connected?: boolean;
    handler?: FakeNodeHandler;
  }): NodeRecord {
    return this.nodes.addFake(input);
  }

  /** Merges fields over the `health` payload and broadcasts the new health. */
  setHealth(patch: Record<string, unknown>): void {
    this.state.healthOverrides = { ...this.state.healthOverrides, ...patch };
    this.state.stateVersion.health += 1;
    this.server.broadcast("health", this.state.health(), { stateVersion: { ...this.state.stateVersion }, dropIfSlow: true });
  }

  /** Sets what `last-heartbeat` returns. */
  setLastHeartbeat(value: unknown): void {
    this.state.lastHeartbeat = value;
  }

  /** Appends a record to the log ring served by `logs.tail`. */
  log(record: string | Record<string, unknown>): void {
    this.logs.append(record);
  }

  /** Broadcasts an event (scope guards apply). */
  broadcast(event: string, payload?: unknown, options?: BroadcastOptions): number {
    return this.server.broadcast(event, payload, options);
  }

  /**
   * Fault injection: makes matching sockets slow consumers — the next write closes them
   * 1008 `slow consumer` (one is sent at once).
   */
  simulateSlowConsumer(filter: (connection: ServerConnection) => boolean = () => true): number {
    let count = 0;
    for (const connection of [...this.server.connections]) {
      if (!filter(connection)) continue;
      connection.forceSlowConsumer = true;
      connection.sendEvent("tick", { ts: Date.now() }, { seq: true });
      count += 1;
    }
    return count;
  }

  #wrap<P, R>(method: string, handler: RequestHandler<ServerConnection, P, R>): RequestHandler<ServerConnection, P, R> {
    return async (request) => {
      const rule = this.faults.take(method);
      if (rule !== undefined) {
        if (rule.delayMs !== undefined && rule.delayMs > 0) await sleep(rule.delayMs, request.signal);
        if (rule.close !== undefined) {
          request.ctx.close(rule.close.code, rule.close.reason ?? "");
          return await hang(request.signal);
        }
        if (rule.drop === true) return await hang(request.signal);
        if (rule.error !== undefined) throw new GatewayRequestError(rule.error);
      }
      return await handler(request);
    };
  }

  #snapshot(connection: ServerConnection): Snapshot {
    const snapshot: Snapshot = {
      suspension: { phase: "accepting" },
      // Presence is operator.read data: a socket without it sees an empty list (observed).
      presence: scopeSatisfied(connection.scopes, OperatorScopes.READ) ? this.state.presence() : [],
      health: this.state.health(),
      stateVersion: { ...this.state.stateVersion },
      uptimeMs: this.server.uptimeMs,
      appliedConfigHash: this.state.appliedConfigHash,
      sessionDefaults: {
        defaultAgentId: this.state.defaultAgentId,
        mainKey: "main",
        mainSessionKey: `agent:${this.state.defaultAgentId}:main`,
        modelConfigured: false,
        ownership: "sole",
        selectionRequired: false,
        scope: "per-sender",
      },
    };
    // Scoped sockets also get the update schedule; admins the config location and auth mode (observed).
    if (scopeSatisfied(connection.scopes, OperatorScopes.READ)) snapshot.updateSchedule = { channel: "stable", autoEnabled: false };
    if (connection.scopes.includes("operator.admin")) {
      snapshot.configPath = this.state.configPath;
      snapshot.stateDir = this.state.stateDir;
      snapshot.authMode = sharedSecretOf(this.#options.auth).mode;
    }
    return snapshot;
  }

  #onConnection(connection: ServerConnection): void {
    this.state.clients.connect(connection);
    this.logs.append({
      subsystem: "gateway/ws",
      msg: "connect",
      connId: connection.connId,
      role: connection.role,
      client: connection.connect.client.id,
    });
    if (connection.role === "node") {
      const request = this.nodes.connect(connection);
      if (request !== undefined) this.server.broadcast("node.pair.requested", request, { dropIfSlow: true });
    }
    // OpenClaw pushes the health snapshot right after hello (seq 1 on that socket).
    this.state.stateVersion.presence += 1;
    connection.sendEvent("health", this.state.health(), { seq: true, stateVersion: { ...this.state.stateVersion } });
  }
}

/** Methods a 2026.9.6 gateway serves without advertising them (gateway-protocol §4.4 †), as far as the mock serves them. */
const UNADVERTISED_METHODS: ReadonlySet<string> = new Set(["connect", "node.runnerInventory.update"]);

function closedSignal(connection: ServerConnection): AbortSignal {
  const controller = new AbortController();
  if (!connection.isOpen) controller.abort(new Error("closed"));
  else connection.onClose(() => controller.abort(new Error("closed")));
  return controller.signal;
}

function defaultAuthorize(method: string, params: unknown, connection: ServerConnection) {
  return authorizeMethod({ role: connection.role, scopes: connection.scopes }, method, params);
}

import { randomBytes, randomUUID } from "node:crypto";
import { hostname, networkInterfaces, release } from "node:os";
import type { PresenceEntry } from "@clawbridge/protocol";
import type { ServerConnection } from "@clawbridge/server";
import { EventLoopStats } from "./event-loop-stats.js";
import { PresenceRegistry } from "./presence-registry.js";

/** One agent of the fake gateway. */
export interface MockAgent {
  agentId: string;
  name?: string | undefined;
  isDefault: boolean;
  heartbeatEnabled: boolean;
}

/** One session of the fake gateway. */
export interface MockSession {
  key: string;
  agentId: string;
  /** ms since the epoch. */
  updatedAt: number;
}

const HEARTBEAT_EVERY = "30m";
const HEARTBEAT_EVERY_MS = 1_800_000;

/**
 * The fake gateway's data: agents, sessions, heartbeat, and overrides for `health`
 * and `status`. Shapes follow gateway-protocol §5.2/§5.3 with plausible values.
 */
export class MockState {
  readonly startedAtMs = Date.now();
  readonly host = hostname();
  version: string;
  agents: MockAgent[] = [{ agentId: "main", isDefault: true, heartbeatEnabled: true }];
  sessions: MockSession[] = [];
  /** Value of `last-heartbeat` (null = none yet). */
  lastHeartbeat: unknown = null;
  /** Merged over the computed `health` payload. */
  healthOverrides: Record<string, unknown> = {};
  /** Merged over the computed `status` payload. */
  statusOverrides: Record<string, unknown> = {};
  /** Presence/health state versions (bumped on changes). */
  readonly stateVersion = { presence: 0, health: 0 };
  readonly sessionsPath = "/tmp/openclaw-mock/state/agents/main/agent/openclaw-agent.sqlite";
  /** Reported as `snapshot.configPath` to admins (the mock reads no config file). */
  readonly configPath = "/tmp/openclaw-mock/config/openclaw.json";
  /** Reported as `snapshot.stateDir` to admins. */
  readonly stateDir = "/tmp/openclaw-mock/state";
  /** `snapshot.appliedConfigHash`: OpenClaw's HMAC format, over nothing in particular. */
  readonly appliedConfigHash = `hmac-sha256:v1:${randomBytes(32).toString("base64url")}`;
  /** The gateway's own presence instance id. */
  readonly instanceId = randomUUID();
  /** The mock's own event-loop diagnostics (`eventLoop` of `health` and `status`). */
  readonly eventLoop = new EventLoopStats();
  /** Presence rows of connected (and recently disconnected) clients. */
  readonly clients = new PresenceRegistry({ id: "gateway-owner", avatarRevision: this.startedAtMs });

  constructor(version: string) {
    this.version = version;
  }

  get defaultAgentId(): string {
    return this.agents.find((agent) => agent.isDefault)?.agentId ?? "main";
  }

  #recent(agentId?: string): { key: string; updatedAt: number | null; age: number | null }[] {
    const now = Date.now();
    return this.sessions
      .filter((session) => agentId === undefined || session.agentId === agentId)
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .slice(0, 5)
      .map((session) => ({ key: session.key, updatedAt: session.updatedAt, age: now - session.updatedAt }));
  }

  /**
   * The `health` payload (§5.2, keys as recorded from 2026.9.6). The `health` method adds
   * `modelRuntime`; the snapshot and the `health` event do not carry it.
   */
  health(options: { modelRuntime?: boolean } = {}): Record<string, unknown> {
    return {
      ok: true,
      ts: Date.now(),
      durationMs: 0,
      plugins: { loaded: [], errors: [], unavailable: [] },
      configReload: { hotReloadStatus: "active" },
      channels: {},
      channelOrder: [],
      channelLabels: {},
      heartbeatSeconds: HEARTBEAT_EVERY_MS / 1000,
      defaultAgentId: this.defaultAgentId,
      agents: this.agents.map((agent) => ({
        agentId: agent.agentId,
        ...(agent.name === undefined ? {} : { name: agent.name }),
        isDefault: agent.isDefault,
        heartbeat: {
          enabled: agent.heartbeatEnabled,
          every: HEARTBEAT_EVERY,
          everyMs: agent.heartbeatEnabled ? HEARTBEAT_EVERY_MS : null,
          prompt: "If nothing needs attention, reply NO_REPLY.",
          target: "owner",
          ackMaxChars: 300,
        },
        sessions: {
          path: this.sessionsPath.replace("/agents/main/", `/agents/${agent.agentId}/`),
          count: this.sessions.filter((session) => session.agentId === agent.agentId).length,
          recent: this.#recent(agent.agentId),
        },
      })),
      sessions: { path: this.sessionsPath, count: this.sessions.length, recent: this.#recent() },
      ...(options.modelRuntime === true ? { modelRuntime: { degraded: false, pendingAgents: [] } } : {}),
      eventLoop: this.eventLoop.sample(),
      ...this.healthOverrides,
    };
  }

  /** The `status` payload (§5.3); session paths are redacted for non-admins. */
  status(isAdmin: boolean): Record<string, unknown> {
    const memory = process.memoryUsage();
    return {
      runtimeVersion: this.version,
      hostDesktop: { enabled: false, state: "disabled", port: 5900 },
      heartbeat: {
        defaultAgentId: this.defaultAgentId,
        agents: this.agents.map((agent) => ({
          agentId: agent.agentId,
          enabled: agent.heartbeatEnabled,
          every: HEARTBEAT_EVERY,
          everyMs: agent.heartbeatEnabled ? HEARTBEAT_EVERY_MS : null,
          waitingForRoute: false,
        })),
      },
      channelSummary: [],
      queuedSystemEvents: [],
      degradedSecretOwners: [],
      degradedPlugins: [],
      tasks: {
        total: 0,
        active: 0,
        terminal: 0,
        failures: 0,
        byStatus: { queued: 0, running: 0, succeeded: 0, failed: 0, timed_out: 0, cancelled: 0, lost: 0 },
        byRuntime: { subagent: 0, acp: 0, cli: 0, cron: 0 },
      },
      taskAudit: {
        total: 0,
        warnings: 0,
        errors: 0,
        byCode: { stale_queued: 0, stale_running: 0, lost: 0, delivery_failed: 0, missing_cleanup: 0, inconsistent_timestamps: 0 },
      },
      sessions: {
        paths: isAdmin ? [this.sessionsPath] : [],
        count: this.sessions.length,
        defaults: { model: null, contextTokens: null },
        recent: this.#recent(),
        byAgent: this.agents.map((agent) => ({
          agentId: agent.agentId,
          path: isAdmin ? this.sessionsPath : "[redacted]",
          count: this.sessions.filter((session) => session.agentId === agent.agentId).length,
          recent: this.#recent(agent.agentId),
        })),
      },
      modelRuntime: { degraded: false, pendingAgents: [] },
      processMemory: {
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        heapTotalBytes: memory.heapTotal,
        externalBytes: memory.external,
        arrayBuffersBytes: memory.arrayBuffers,
      },
      // Idle pools and no active work, with the keys a 2026.9.6 gateway reports.
      workerPools: {
        modelCatalog: { workers: 0, workersCreated: 0, maxWorkers: 1, activeTasks: 0, pendingTasks: 0 },
        transcriptReconciliation: { workers: 0, workersCreated: 0, maxWorkers: 1, activeTasks: 0, pendingTasks: 0 },
      },
      pid: process.pid,
      shutdownBudget: {
        timeoutMs: 325_000,
        reserveMs: 10_000,
        nativeStopBudget: false,
        activeWork: { rootRequests: 0, sessionMutations: 0, lifecycleWrites: 0, cronRuns: 0, terminalPersistence: 0 },
        writeCustody: [],
      },
      eventLoop: this.eventLoop.sample(),
      ...this.statusOverrides,
    };
  }

  /**
   * `system-presence`: the gateway itself (`mode:"gateway"`, `reason:"self"`, its primary LAN
   * IPv4), then the client rows of {@link clients}, newest first — the shape of 2026.9.6.
   *
   * @param _connections - unused (rows are tracked on connect/disconnect); kept for compatibility
   */
  presence(_connections?: Iterable<ServerConnection>): PresenceEntry[] {
    const ip = primaryLanIPv4() ?? this.host;
    const self: PresenceEntry = {
      host: this.host,
      ip,
      version: this.version,
      platform: `${process.platform === "darwin" ? "macos" : process.platform === "win32" ? "windows" : process.platform} ${release()}`,
      deviceFamily: process.platform === "darwin" ? "Mac" : process.platform === "win32" ? "Windows" : process.platform === "linux" ? "Linux" : process.platform,
      mode: "gateway",
      reason: "self",
      instanceId: this.instanceId,
      text: `Gateway: ${this.host}${ip !== "" ? ` (${ip})` : ""} · app ${this.version} · mode gateway · reason self`,
      ts: Date.now(),
    };
    return [self, ...this.clients.list()];
  }
}

/** The first non-internal IPv4 address (OpenClaw's best-effort primary LAN IPv4). */
function primaryLanIPv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === "IPv4" && !address.internal) return address.address;
  }
  return undefined;
}

import { randomUUID } from "node:crypto";
import { hostname, release } from "node:os";
import type { PresenceEntry } from "@clawbridge/protocol";
import type { ServerConnection } from "@clawbridge/server";

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
  /** The gateway's own presence instance id. */
  readonly instanceId = randomUUID();

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
      taskAudit: { total: 0, warnings: 0, errors: 0, byCode: {} },
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
      workerPools: {},
      pid: process.pid,
      shutdownBudget: { timeoutMs: 325_000, reserveMs: 10_000, nativeStopBudget: false, activeWork: {}, writeCustody: [] },
      ...this.statusOverrides,
    };
  }

  /** `system-presence`: the gateway itself (`mode:"gateway"`, `reason:"self"`) then each client. */
  presence(connections: Iterable<ServerConnection>): PresenceEntry[] {
    const self: PresenceEntry = {
      ts: Date.now(),
      host: this.host,
      ip: "127.0.0.1",
      version: this.version,
      platform: `${process.platform === "darwin" ? "macos" : process.platform} ${release()}`,
      ...(process.platform === "linux" ? { deviceFamily: "Linux" } : {}),
      mode: "gateway",
      reason: "self",
      instanceId: this.instanceId,
      text: `Gateway: ${this.host} (127.0.0.1) · app ${this.version} · mode gateway · reason self`,
      onlineSince: this.startedAtMs,
    };
    const entries: PresenceEntry[] = [self];
    for (const connection of connections) {
      const client = connection.connect.client;
      const entry: PresenceEntry = {
        ts: connection.connectedAtMs,
        clientId: client.id,
        version: client.version,
        platform: client.platform,
        mode: client.mode,
        reason: "connect",
        roles: [connection.role],
        scopes: [...connection.scopes],
        onlineSince: connection.connectedAtMs,
      };
      if (client.displayName !== undefined) entry.host = client.displayName;
      if (client.deviceFamily !== undefined) entry.deviceFamily = client.deviceFamily;
      if (client.instanceId !== undefined) entry.instanceId = client.instanceId;
      if (connection.deviceId !== undefined) entry.deviceId = connection.deviceId;
      if (connection.socket.remoteAddress !== undefined) entry.ip = connection.socket.remoteAddress;
      entries.push(entry);
    }
    return entries;
  }
}

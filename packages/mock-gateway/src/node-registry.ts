import { randomUUID } from "node:crypto";
import type { ServerConnection } from "@clawbridge/server";
import {
  ADMIN_APPROVAL_COMMANDS,
  DESKTOP_HOST_COMMANDS,
  deviceFamilyFor,
  resolveNodeCommandAllowlist,
  resolveNodePairingCommandAllowlist,
} from "./node-command-policy.js";
import type { NodeCommandConfig } from "./node-command-policy.js";

/** A fake node's command implementation (in-process, no socket). */
export type FakeNodeHandler = (command: string, params: unknown) => unknown;

/** What the gateway knows about one node. */
export interface NodeRecord {
  readonly nodeId: string;
  displayName?: string | undefined;
  platform?: string | undefined;
  version?: string | undefined;
  clientId?: string | undefined;
  clientMode?: string | undefined;
  deviceFamily?: string | undefined;
  remoteIp?: string | undefined;
  caps: string[];
  /** Commands the node declared on connect. */
  declaredCommands: string[];
  /** Desktop-host commands approved through node pairing. */
  approvedCommands: string[];
  permissions?: Record<string, boolean> | undefined;
  pathEnv?: string | undefined;
  /** What the node published with `node.pluginTools.update`. */
  nodePluginTools?: unknown[] | undefined;
  /** What the node published with `node.skills.update`. */
  nodeSkills?: unknown[] | undefined;
  connection?: ServerConnection | undefined;
  connectedAtMs?: number | undefined;
  lastConnectedAtMs?: number | undefined;
  lastDisconnectedAtMs?: number | undefined;
  lastSeenAtMs?: number | undefined;
  lastSeenReason?: string | undefined;
  approvedAtMs?: number | undefined;
  /** Fake nodes: "connected" without a socket, served by this handler. */
  fake?: { connected: boolean; handler: FakeNodeHandler | undefined } | undefined;
}

/** A pending node command-surface approval (`node.pair.*`). */
export interface NodePairingRequest {
  readonly requestId: string;
  readonly nodeId: string;
  readonly displayName?: string | undefined;
  readonly platform?: string | undefined;
  readonly version?: string | undefined;
  readonly clientId?: string | undefined;
  readonly clientMode?: string | undefined;
  readonly deviceFamily?: string | undefined;
  /** The declared capabilities awaiting approval (sorted). */
  readonly caps?: string[] | undefined;
  /** The declared commands awaiting approval: those pairing may grant, sorted (OpenClaw lists no others). */
  readonly commands: string[];
  /** Created without operator interaction (a direct-local node), as OpenClaw flags it. */
  readonly silent?: boolean | undefined;
  /** ms since the epoch. */
  readonly ts: number;
  /** Scopes an approver needs (`operator.admin` too when desktop commands are declared). */
  readonly requiredApproveScopes: string[];
}

/** Node bookkeeping of the mock gateway: records, command surfaces and their approvals. */
export class NodeRegistry {
  readonly #nodes = new Map<string, NodeRecord>();
  readonly #pending = new Map<string, NodePairingRequest>();
  readonly config: NodeCommandConfig;

  constructor(config: NodeCommandConfig = {}) {
    this.config = config;
  }

  get(nodeId: string): NodeRecord | undefined {
    return this.#nodes.get(nodeId);
  }

  list(): NodeRecord[] {
    return [...this.#nodes.values()];
  }

  /** Whether the node can take an invoke now. */
  isConnected(record: NodeRecord): boolean {
    return record.fake !== undefined ? record.fake.connected : record.connection?.isOpen === true;
  }

  /**
   * Effective commands: declared ∩ allowlist (platform defaults + approved desktop commands +
   * config); none before the first approval of the node's surface (a pending node lists
   * `commands: []` on a real gateway).
   */
  effectiveCommands(record: NodeRecord): string[] {
    if (record.approvedAtMs === undefined) return [];
    const allowlist = this.allowlist(record);
    return record.declaredCommands.filter((command) => allowlist.has(command));
  }

  allowlist(record: NodeRecord): Set<string> {
    return resolveNodeCommandAllowlist(record.platform, record.approvedCommands, this.config, record.deviceFamily);
  }

  /** The pending approval of a node, if any. */
  pendingFor(nodeId: string): NodePairingRequest | undefined {
    return [...this.#pending.values()].find((request) => request.nodeId === nodeId);
  }

  listPending(): NodePairingRequest[] {
    return [...this.#pending.values()].sort((a, b) => a.ts - b.ts);
  }

  getPending(requestId: string): NodePairingRequest | undefined {
    return this.#pending.get(requestId);
  }

  /**
   * Records a node socket after `hello-ok`. Returns the new pairing request when its
   * declared desktop commands are not all approved yet (the gateway then broadcasts
   * `node.pair.requested`).
   */
  connect(connection: ServerConnection): NodePairingRequest | undefined {
    const nodeId = connection.deviceId ?? connection.connect.client.instanceId ?? connection.connId;
    const now = Date.now();
    const client = connection.connect.client;
    const previous = this.#nodes.get(nodeId);
    const record: NodeRecord = {
      ...(previous ?? { nodeId, approvedCommands: [] }),
      nodeId,
      displayName: client.displayName,
      platform: client.platform,
      version: client.version,
      clientId: client.id,
      clientMode: client.mode,
      deviceFamily: client.deviceFamily,
      // OpenClaw reports a client address only for non-local nodes.
      remoteIp: connection.socket.directLocal ? undefined : (connection.socket.clientIp ?? connection.socket.remoteAddress),
      caps: [...(connection.connect.caps ?? [])],
      declaredCommands: [...(connection.connect.commands ?? [])],
      permissions: connection.connect.permissions,
      pathEnv: connection.connect.pathEnv,
      connection,
      connectedAtMs: now,
      lastConnectedAtMs: now,
      lastSeenAtMs: now,
      lastSeenReason: "connect",
      fake: undefined,
    };
    this.#nodes.set(nodeId, record);
    const needsApproval = record.declaredCommands.filter(
      (command) => DESKTOP_HOST_COMMANDS.has(command) && !record.approvedCommands.includes(command),
    );
    if (needsApproval.length === 0) {
      if (record.approvedAtMs === undefined) record.approvedAtMs = now;
      return undefined;
    }
    const existing = this.pendingFor(nodeId);
    const grantable = resolveNodePairingCommandAllowlist(record.platform, this.config, record.deviceFamily);
    const commands = [...new Set(record.declaredCommands.filter((command) => grantable.has(command)))].sort();
    if (existing !== undefined && existing.commands.join(",") === commands.join(",")) return undefined;
    if (existing !== undefined) this.#pending.delete(existing.requestId);
    const request: NodePairingRequest = {
      requestId: randomUUID(),
      nodeId,
      displayName: record.displayName,
      platform: record.platform,
      version: record.version,
      clientId: record.clientId,
      clientMode: record.clientMode,
      deviceFamily: record.deviceFamily,
      caps: [...new Set(record.caps)].sort(),
      commands,
      silent: connection.socket.directLocal,
      ts: now,
      requiredApproveScopes: commands.some((command) => ADMIN_APPROVAL_COMMANDS.has(command))
        ? ["operator.pairing", "operator.admin"]
        : ["operator.pairing"],
    };
    this.#pending.set(request.requestId, request);
    return request;
  }

  /** Marks a node socket gone. */
  disconnect(connection: ServerConnection): void {
    for (const record of this.#nodes.values()) {
      if (record.connection !== connection) continue;
      record.connection = undefined;
      record.connectedAtMs = undefined;
      record.lastDisconnectedAtMs = Date.now();
      record.lastSeenAtMs = Date.now();
      record.lastSeenReason = "disconnect";
    }
  }

  /** Approves a pending command surface. `undefined` when no such request. */
  approve(requestId: string): NodePairingRequest | undefined {
    const request = this.#pending.get(requestId);
    if (request === undefined) return undefined;
    this.#pending.delete(requestId);
    const record = this.#nodes.get(request.nodeId);
    if (record !== undefined) {
      record.approvedCommands = [...new Set([...record.approvedCommands, ...request.commands])];
      record.approvedAtMs = Date.now();
    }
    return request;
  }

  /** Rejects a pending command surface. */
  reject(requestId: string): NodePairingRequest | undefined {
    const request = this.#pending.get(requestId);
    if (request !== undefined) this.#pending.delete(requestId);
    return request;
  }

  /** Adds (or replaces) a fake node (admin/test API). Its commands count as approved. */
  addFake(input: {
    nodeId: string;
    displayName?: string | undefined;
    platform?: string | undefined;
    version?: string | undefined;
    commands?: readonly string[] | undefined;
    connected?: boolean | undefined;
    handler?: FakeNodeHandler | undefined;
  }): NodeRecord {
    const now = Date.now();
    const commands = [...(input.commands ?? [])];
    const connected = input.connected ?? true;
    const platform = input.platform ?? "linux";
    const record: NodeRecord = {
      nodeId: input.nodeId,
      displayName: input.displayName,
      platform,
      version: input.version ?? "2026.9.6",
      clientId: "node-host",
      clientMode: "node",
      // The family a real node host of this platform reports, so the platform's defaults apply.
      deviceFamily: deviceFamilyFor(platform),
      caps: [],
      declaredCommands: commands,
      approvedCommands: commands,
      connectedAtMs: connected ? now : undefined,
      lastConnectedAtMs: now,
      lastSeenAtMs: now,
      lastSeenReason: connected ? "connect" : "disconnect",
      approvedAtMs: now,
      fake: { connected, handler: input.handler },
    };
    this.#nodes.set(record.nodeId, record);
    return record;
  }

  /** Forgets a node. */
  remove(nodeId: string): boolean {
    const pending = this.pendingFor(nodeId);
    if (pending !== undefined) this.#pending.delete(pending.requestId);
    return this.#nodes.delete(nodeId);
  }
}

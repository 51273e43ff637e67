import type { NodeEntry } from "@clawbridge/protocol";
import type { PairingStore } from "@clawbridge/server";
import type { NodeRecord, NodeRegistry } from "./node-registry.js";

/**
 * A node as `node.list` / `node.describe` report it (gateway-protocol §5.4).
 *
 * @param showPendingRequest - include `pendingRequestId` (own device or pairing-capable caller)
 */
export function toNodeEntry(
  record: NodeRecord,
  nodes: NodeRegistry,
  pairing: PairingStore,
  showPendingRequest: boolean,
): NodeEntry {
  const connected = nodes.isConnected(record);
  const pending = nodes.pendingFor(record.nodeId);
  const approvalState = pending === undefined ? "approved" : record.approvedCommands.length > 0 ? "pending-reapproval" : "pending-approval";
  const device = pairing.getPaired(record.nodeId);
  const paired = record.fake !== undefined || (device?.roles.includes("node") ?? false);
  // The surface approval time, else the device pairing's (as OpenClaw's node catalog).
  const approvedAtMs = record.approvedAtMs ?? (paired ? device?.approvedAtMs : undefined);
  // Before the first approval a node's surface is withheld entirely (observed: caps [] and commands []).
  const caps = record.approvedAtMs === undefined ? [] : [...new Set(record.caps)].sort();
  const entry: NodeEntry = { nodeId: record.nodeId, caps, commands: nodes.effectiveCommands(record), paired, connected };
  const optional: Record<string, unknown> = {
    displayName: record.displayName,
    platform: record.platform,
    version: record.version,
    clientId: record.clientId,
    clientMode: record.clientMode,
    deviceFamily: record.deviceFamily,
    remoteIp: record.remoteIp,
    pathEnv: record.pathEnv,
    permissions: record.permissions,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (entry as Record<string, unknown>)[key] = value;
  Object.assign(entry, {
    sessionHost: false,
    nodePluginTools: [...(record.nodePluginTools ?? [])],
    approvalState,
    ...(pending !== undefined && showPendingRequest
      ? { pendingRequestId: pending.requestId, pendingDeclaredCaps: [...(pending.caps ?? [])], pendingDeclaredCommands: [...pending.commands] }
      : {}),
    ...(connected && record.connectedAtMs !== undefined ? { connectedAtMs: record.connectedAtMs } : {}),
    ...(record.lastConnectedAtMs !== undefined ? { lastConnectedAtMs: record.lastConnectedAtMs } : {}),
    ...(record.lastDisconnectedAtMs !== undefined ? { lastDisconnectedAtMs: record.lastDisconnectedAtMs } : {}),
    ...(record.lastSeenAtMs !== undefined ? { lastSeenAtMs: record.lastSeenAtMs, lastSeenReason: record.lastSeenReason } : {}),
    ...(approvedAtMs !== undefined ? { approvedAtMs } : {}),
  });
  return entry;
}

/** `node.list` order: connected first, then by display name, then node id. */
export function compareNodeEntries(a: NodeEntry, b: NodeEntry): number {
  if (a.connected !== b.connected) return a.connected ? -1 : 1;
  const byName = (a.displayName ?? a.nodeId).localeCompare(b.displayName ?? b.nodeId);
  return byName !== 0 ? byName : a.nodeId.localeCompare(b.nodeId);
}

import type { PresenceEntry } from "@clawbridge/protocol";
import type { ServerConnection } from "@clawbridge/server";

/** How long a disconnected client stays listed (ms), as OpenClaw's presence TTL. */
export const PRESENCE_TTL_MS = 300_000;
/** Most entries kept besides the gateway's own. */
const MAX_ENTRIES = 200;

/** Client modes OpenClaw treats as ephemeral control-plane connections: never listed in presence. */
const EPHEMERAL_MODES: ReadonlySet<string> = new Set(["cli", "backend", "probe"]);

/** The gateway owner as OpenClaw 2026.9.6 reports a shared-secret operator in presence (`user`). */
export interface PresenceOwner {
  readonly id: string;
  /** `v` of the avatar URL (ms). */
  readonly avatarRevision: number;
}

/**
 * `system-presence` bookkeeping as OpenClaw 2026.9.6 does it (`src/infra/system-presence.ts`,
 * `upsertPresence` on connect): one row per non-ephemeral socket (mode not `cli`, `backend`
 * or `probe`), keyed by connection (nodes by device id), `reason:"connect"` then
 * `"disconnect"` (kept for 5 minutes), `host` = display name or client id, `ip` only for
 * non-local clients, `text` = `Node: <host> · mode <mode>`, newest first. Shared-secret
 * operators carry the gateway owner profile (`user`) and `onlineSince`.
 */
export class PresenceRegistry {
  readonly #entries = new Map<string, { entry: PresenceEntry; touchedAtMs: number }>();
  readonly #owner: PresenceOwner;
  readonly #now: () => number;

  constructor(owner: PresenceOwner, now: () => number = Date.now) {
    this.#owner = owner;
    this.#now = now;
  }

  /** Whether a socket gets a presence row at all. */
  static tracks(connection: ServerConnection): boolean {
    return !EPHEMERAL_MODES.has(connection.connect.client.mode);
  }

  #key(connection: ServerConnection): string {
    const client = connection.connect.client;
    return connection.role === "node" ? (connection.deviceId ?? client.instanceId ?? connection.connId) : connection.connId;
  }

  /** Records a socket that just received `hello-ok`. */
  connect(connection: ServerConnection): void {
    if (!PresenceRegistry.tracks(connection)) return;
    const client = connection.connect.client;
    const now = this.#now();
    const host = client.displayName ?? client.id;
    const node = connection.role === "node";
    const sharedSecretOperator = !node && (connection.authMethod === "token" || connection.authMethod === "password");
    const entry: Record<string, unknown> = {
      host,
      clientId: client.id,
      ip: connection.socket.directLocal ? undefined : (connection.socket.clientIp ?? connection.socket.remoteAddress),
      version: client.version,
      platform: client.platform,
      deviceFamily: client.deviceFamily,
      modelIdentifier: client.modelIdentifier,
      timeZone: client.timeZone,
      mode: client.mode,
      deviceId: connection.deviceId,
      roles: [connection.role],
      scopes: connection.scopes.length > 0 ? [...connection.scopes] : undefined,
      instanceId: node ? (connection.deviceId ?? client.instanceId) : client.instanceId,
      user: sharedSecretOperator
        ? {
            id: this.#owner.id,
            identity: { type: "profile", id: this.#owner.id },
            avatarUrl: `/api/users/${this.#owner.id}/avatar?v=${this.#owner.avatarRevision}`,
          }
        : undefined,
      onlineSince: sharedSecretOperator ? now : undefined,
      reason: "connect",
      ts: now,
      text: `Node: ${host} · mode ${client.mode}`,
    };
    for (const [field, value] of Object.entries(entry)) if (value === undefined) delete entry[field];
    this.#entries.set(this.#key(connection), { entry: entry as PresenceEntry, touchedAtMs: now });
  }

  /** Marks the socket's row `reason:"disconnect"` (the row stays for {@link PRESENCE_TTL_MS}). */
  disconnect(connection: ServerConnection): void {
    const key = this.#key(connection);
    const current = this.#entries.get(key);
    if (current === undefined || !PresenceRegistry.tracks(connection)) return;
    // A newer socket of the same node owns the row now.
    if (connection.role === "node" && current.entry.reason === "connect" && current.touchedAtMs > connection.connectedAtMs) return;
    const now = this.#now();
    this.#entries.set(key, { entry: { ...current.entry, reason: "disconnect", ts: now }, touchedAtMs: now });
  }

  /** Client rows (newest first), after dropping expired ones; the caller prepends the gateway's own row. */
  list(): PresenceEntry[] {
    const now = this.#now();
    for (const [key, { touchedAtMs }] of this.#entries) if (now - touchedAtMs > PRESENCE_TTL_MS) this.#entries.delete(key);
    const rows = [...this.#entries.values()].sort((a, b) => b.entry.ts - a.entry.ts);
    return rows.slice(0, MAX_ENTRIES).map((row) => row.entry);
  }
}

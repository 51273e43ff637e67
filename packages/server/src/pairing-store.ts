import { randomBytes, randomUUID } from "node:crypto";
import { scopeSatisfied } from "@clawbridge/protocol";
import { safeEqualSecret } from "./shared-secret.js";

/** Why a device needs (re)approval. */
export type PairingReason = "not-paired" | "role-upgrade" | "scope-upgrade" | "metadata-upgrade";

/** Client metadata pinned at approval (a change later triggers `metadata-upgrade`). */
export interface DeviceMetadata {
  readonly displayName?: string | undefined;
  readonly platform?: string | undefined;
  readonly deviceFamily?: string | undefined;
  readonly clientId?: string | undefined;
  readonly clientMode?: string | undefined;
  readonly remoteIp?: string | undefined;
}

/** A device token for one role. */
export interface DeviceTokenRecord {
  readonly token: string;
  readonly role: string;
  readonly scopes: readonly string[];
  /** ms since the epoch. */
  readonly issuedAtMs: number;
}

/** An approved device. */
export interface PairedDevice extends DeviceMetadata {
  readonly deviceId: string;
  /** base64url raw Ed25519 public key. */
  readonly publicKey: string;
  /** Approved roles. */
  readonly roles: readonly string[];
  /** Approved operator scopes. */
  readonly scopes: readonly string[];
  /** Device tokens by role. */
  readonly tokens: Readonly<Record<string, DeviceTokenRecord>>;
  /** ms since the epoch. */
  readonly createdAtMs: number;
  /** ms since the epoch. */
  readonly approvedAtMs: number;
}

/** A pending pairing request. */
export interface PairingRequest extends DeviceMetadata {
  /** uuid. */
  readonly requestId: string;
  readonly deviceId: string;
  readonly publicKey: string;
  readonly role: string;
  readonly scopes: readonly string[];
  readonly reason: PairingReason;
  /** Whether the server meant to approve it silently (local auto-approval). */
  readonly silent: boolean;
  /** ms since the epoch. */
  readonly ts: number;
}

/** The store's whole state, as persisted. */
export interface PairingSnapshot {
  readonly version: 1;
  readonly pending: readonly PairingRequest[];
  readonly paired: readonly PairedDevice[];
}

/** Where the store keeps its state between runs. Both calls are synchronous. */
export interface PairingPersistence {
  /** The saved snapshot, or undefined when there is none yet. */
  load(): PairingSnapshot | undefined;
  /** Saves the snapshot (called after every change). */
  save(snapshot: PairingSnapshot): void;
}

/** A change the gateway should announce (`device.pair.requested` / `device.pair.resolved`). */
export type PairingEvent =
  | { readonly type: "requested"; readonly request: PairingRequest }
  | {
      readonly type: "resolved";
      readonly requestId: string;
      readonly deviceId: string;
      readonly decision: "approved" | "rejected";
      readonly ts: number;
    };

/** Input of {@link PairingStore.request}. */
export interface PairingRequestInput extends DeviceMetadata {
  readonly deviceId: string;
  readonly publicKey: string;
  readonly role: string;
  readonly scopes: readonly string[];
  readonly reason: PairingReason;
  readonly silent?: boolean | undefined;
}

/** Result of {@link PairingStore.verifyDeviceToken}. */
export type DeviceTokenCheck = { readonly ok: true } | { readonly ok: false; readonly reason: "device_token_mismatch" | "scope_mismatch" };

/** Options of {@link PairingStore}. */
export interface PairingStoreOptions {
  /** Optional persistence (see `jsonFilePersistence`). Default: memory only. */
  readonly persistence?: PairingPersistence | undefined;
  /** Clock (ms). Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Device pairing state of one gateway: pending requests, approved devices and their
 * per-role device tokens. In memory, with an optional synchronous persistence hook.
 * Listeners (see {@link onEvent}) hear requests and resolutions so the gateway can
 * broadcast `device.pair.*` events.
 */
export class PairingStore {
  readonly #pending = new Map<string, PairingRequest>();
  readonly #paired = new Map<string, PairedDevice>();
  readonly #listeners = new Set<(event: PairingEvent) => void>();
  readonly #persistence: PairingPersistence | undefined;
  readonly #now: () => number;

  constructor(options: PairingStoreOptions = {}) {
    this.#persistence = options.persistence;
    this.#now = options.now ?? Date.now;
    const snapshot = this.#persistence?.load();
    for (const request of snapshot?.pending ?? []) this.#pending.set(request.requestId, request);
    for (const device of snapshot?.paired ?? []) this.#paired.set(device.deviceId, device);
  }

  /** Subscribes to pairing events; returns the unsubscribe function. */
  onEvent(listener: (event: PairingEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The approved device with this id, if any. */
  getPaired(deviceId: string): PairedDevice | undefined {
    return this.#paired.get(deviceId);
  }

  /** Every approved device. */
  listPaired(): PairedDevice[] {
    return [...this.#paired.values()];
  }

  /** Every pending request, oldest first. */
  listPending(): PairingRequest[] {
    return [...this.#pending.values()].sort((a, b) => a.ts - b.ts);
  }

  /** The pending request with this id, if any. */
  getPending(requestId: string): PairingRequest | undefined {
    return this.#pending.get(requestId);
  }

  /**
   * Records a pairing request. An identical pending request of the same device is
   * reused (`created: false`); a different one supersedes older requests of the device.
   */
  request(input: PairingRequestInput): { request: PairingRequest; created: boolean; superseded: PairingRequest[] } {
    const existing = [...this.#pending.values()].filter((request) => request.deviceId === input.deviceId);
    const same = existing.find(
      (request) =>
        request.publicKey === input.publicKey &&
        request.role === input.role &&
        request.reason === input.reason &&
        sameSet(request.scopes, input.scopes),
    );
    if (same !== undefined) return { request: same, created: false, superseded: [] };
    for (const old of existing) this.#pending.delete(old.requestId);
    const request: PairingRequest = {
      requestId: randomUUID(),
      deviceId: input.deviceId,
      publicKey: input.publicKey,
      role: input.role,
      scopes: [...input.scopes],
      reason: input.reason,
      silent: input.silent ?? false,
      ts: this.#now(),
      ...metadataOf(input),
    };
    this.#pending.set(request.requestId, request);
    this.#save();
    const ts = this.#now();
    for (const old of existing) {
      this.#emit({ type: "resolved", requestId: old.requestId, deviceId: old.deviceId, decision: "rejected", ts });
    }
    if (!request.silent) this.#emit({ type: "requested", request });
    return { request, created: true, superseded: existing };
  }

  /**
   * Approves a pending request: adds its role and scopes to the device (creating it),
   * pins its metadata and issues a device token for the role. `undefined` when no such
   * request is pending.
   */
  approve(requestId: string): { request: PairingRequest; device: PairedDevice } | undefined {
    const request = this.#pending.get(requestId);
    if (request === undefined) return undefined;
    this.#pending.delete(requestId);
    const device = this.#grant(request);
    this.#emit({ type: "resolved", requestId, deviceId: request.deviceId, decision: "approved", ts: this.#now() });
    return { request, device };
  }

  /** Rejects (drops) a pending request. `undefined` when no such request is pending. */
  reject(requestId: string): PairingRequest | undefined {
    const request = this.#pending.get(requestId);
    if (request === undefined) return undefined;
    this.#pending.delete(requestId);
    this.#save();
    this.#emit({ type: "resolved", requestId, deviceId: request.deviceId, decision: "rejected", ts: this.#now() });
    return request;
  }

  /**
   * Approves a device directly (admin/test API), as if a request had been approved.
   *
   * @param input - device id, public key (base64url raw), role, scopes and metadata
   */
  pair(input: Omit<PairingRequestInput, "reason" | "silent">): PairedDevice {
    return this.#grant({ ...input, reason: "not-paired" });
  }

  /** Forgets a device (and its pending requests). Returns whether it was paired. */
  remove(deviceId: string): boolean {
    for (const request of this.#pending.values()) if (request.deviceId === deviceId) this.#pending.delete(request.requestId);
    const removed = this.#paired.delete(deviceId);
    this.#save();
    return removed;
  }

  /**
   * The device token of `deviceId` for `role`, issuing one if the device is approved for
   * the role but has none yet. `undefined` when the device is not approved for the role.
   */
  ensureToken(deviceId: string, role: string): DeviceTokenRecord | undefined {
    const device = this.#paired.get(deviceId);
    if (device === undefined || !device.roles.includes(role)) return undefined;
    const existing = device.tokens[role];
    if (existing !== undefined) return existing;
    const record = this.#issue(device, role);
    this.#paired.set(deviceId, { ...device, tokens: { ...device.tokens, [role]: record } });
    this.#save();
    return record;
  }

  /**
   * Checks a device token candidate for `role` and the requested scopes (constant-time
   * compare). `scope_mismatch` when the token is right but does not cover the scopes.
   */
  verifyDeviceToken(deviceId: string, token: string, role: string, scopes: readonly string[]): DeviceTokenCheck {
    const record = this.#paired.get(deviceId)?.tokens[role];
    if (record === undefined || !safeEqualSecret(token, record.token)) return { ok: false, reason: "device_token_mismatch" };
    if (role === "operator" && !scopes.every((scope) => scopeSatisfied(record.scopes, scope))) {
      return { ok: false, reason: "scope_mismatch" };
    }
    return { ok: true };
  }

  /** The whole state (what the persistence hook saves). */
  snapshot(): PairingSnapshot {
    return { version: 1, pending: this.listPending(), paired: this.listPaired() };
  }

  #grant(input: PairingRequestInput): PairedDevice {
    const now = this.#now();
    const previous = this.#paired.get(input.deviceId);
    // A new key for a known id is a different device: start over.
    const base = previous !== undefined && previous.publicKey === input.publicKey ? previous : undefined;
    const roles = [...new Set([...(base?.roles ?? []), input.role])];
    const scopes = [...new Set([...(base?.scopes ?? []), ...(input.role === "operator" ? input.scopes : [])])];
    let device: PairedDevice = {
      ...(base ?? {}),
      ...metadataOf(input),
      deviceId: input.deviceId,
      publicKey: input.publicKey,
      roles,
      scopes,
      tokens: base?.tokens ?? {},
      createdAtMs: base?.createdAtMs ?? now,
      approvedAtMs: now,
    };
    // Approval (re)issues the role's token so it carries the newly approved scopes.
    device = { ...device, tokens: { ...device.tokens, [input.role]: this.#issue(device, input.role) } };
    this.#paired.set(device.deviceId, device);
    this.#save();
    return device;
  }

  #issue(device: PairedDevice, role: string): DeviceTokenRecord {
    return { token: newToken(), role, scopes: role === "operator" ? [...device.scopes] : [], issuedAtMs: this.#now() };
  }

  #emit(event: PairingEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A failing listener must not break pairing for everyone else.
      }
    }
  }

  #save(): void {
    this.#persistence?.save(this.snapshot());
  }
}

function metadataOf(input: DeviceMetadata): DeviceMetadata {
  const out: { -readonly [K in keyof DeviceMetadata]: DeviceMetadata[K] } = {};
  if (input.displayName !== undefined) out.displayName = input.displayName;
  if (input.platform !== undefined) out.platform = input.platform;
  if (input.deviceFamily !== undefined) out.deviceFamily = input.deviceFamily;
  if (input.clientId !== undefined) out.clientId = input.clientId;
  if (input.clientMode !== undefined) out.clientMode = input.clientMode;
  if (input.remoteIp !== undefined) out.remoteIp = input.remoteIp;
  return out;
}

import * as z from "zod";
import { StateVersion } from "./frames.js";

const nonEmpty = z.string().min(1);

/** One presence entry (`PresenceEntry`). Closed in OpenClaw. */
export const PresenceEntry = z.strictObject({
  ts: z.int().min(0),
  host: nonEmpty.optional(),
  clientId: nonEmpty.optional(),
  ip: nonEmpty.optional(),
  version: nonEmpty.optional(),
  platform: nonEmpty.optional(),
  deviceFamily: nonEmpty.optional(),
  modelIdentifier: nonEmpty.optional(),
  timeZone: nonEmpty.optional(),
  mode: nonEmpty.optional(),
  lastInputSeconds: z.int().min(0).optional(),
  reason: nonEmpty.optional(),
  tags: z.array(nonEmpty).optional(),
  text: z.string().optional(),
  onlineSince: z.int().min(0).optional(),
  lastActivityAt: z.int().min(0).optional(),
  deviceId: nonEmpty.optional(),
  roles: z.array(nonEmpty).optional(),
  scopes: z.array(nonEmpty).optional(),
  instanceId: nonEmpty.optional(),
  user: z.looseObject({ id: nonEmpty }).optional(),
  watchedSessions: z.array(nonEmpty).optional(),
});
export type PresenceEntry = z.infer<typeof PresenceEntry>;

/** The health snapshot (§5.2). Open: its keys grow with every release. */
export const HealthSnapshot = z.looseObject({
  ok: z.boolean().optional(),
  ts: z.int().min(0).optional(),
  durationMs: z.number().min(0).optional(),
  heartbeatSeconds: z.int().optional(),
  defaultAgentId: z.string().optional(),
  channels: z.record(z.string(), z.unknown()).optional(),
  channelOrder: z.array(z.string()).optional(),
  agents: z.array(z.unknown()).optional(),
});
export type HealthSnapshot = z.infer<typeof HealthSnapshot>;

/** `snapshot.sessionDefaults`: which agent and session a client lands in. */
export const SessionDefaults = z.looseObject({
  defaultAgentId: nonEmpty,
  modelConfigured: z.boolean().optional(),
  ownership: z.enum(["sole", "legacy", "explicit"]).optional(),
  selectionRequired: z.boolean().optional(),
  mainKey: nonEmpty,
  mainSessionKey: nonEmpty,
  scope: nonEmpty.optional(),
});
export type SessionDefaults = z.infer<typeof SessionDefaults>;

/** `hello-ok.snapshot`. Open for forward compatibility. */
export const Snapshot = z.looseObject({
  presence: z.array(PresenceEntry),
  health: HealthSnapshot,
  stateVersion: StateVersion,
  uptimeMs: z.int().min(0),
  suspension: z.looseObject({ phase: z.enum(["accepting", "preparing", "draining", "prepared"]) }).optional(),
  appliedConfigHash: nonEmpty.nullable().optional(),
  /** Only sent to sockets holding `operator.admin`. */
  configPath: nonEmpty.optional(),
  /** Only sent to sockets holding `operator.admin`. */
  stateDir: nonEmpty.optional(),
  sessionDefaults: SessionDefaults.optional(),
  /** Only sent to sockets holding `operator.admin`. */
  authMode: z.enum(["none", "token", "password", "trusted-proxy"]).optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

/** `hello-ok.policy`: limits the client must honour. */
export const HelloPolicy = z.looseObject({
  /** Largest frame (bytes) the server accepts after hello. */
  maxPayload: z.int().min(1),
  /** Outbound buffer per socket (bytes). */
  maxBufferedBytes: z.int().min(1),
  /** `tick` interval (ms); clients treat 2× of silence as a dead link. */
  tickIntervalMs: z.int().min(1),
  /** Chat attachment limits (bytes). */
  attachments: z.looseObject({ maxBytes: z.int().min(1), maxImageBytes: z.int().min(1) }).optional(),
  allowedSessionVisibilities: z.array(z.enum(["shared", "read-only", "suggest", "draft"])).optional(),
  hasMultipleSessionSharingIdentities: z.boolean().optional(),
});
export type HelloPolicy = z.infer<typeof HelloPolicy>;

/** Auth methods the server reports in `hello-ok.auth.method`. */
export const AUTH_METHODS = [
  "none",
  "token",
  "password",
  "tailscale",
  "device-token",
  "bootstrap-token",
  "trusted-proxy",
] as const;

/** One issued device token. */
export const IssuedDeviceToken = z.looseObject({
  deviceToken: nonEmpty,
  role: nonEmpty,
  scopes: z.array(nonEmpty),
  issuedAtMs: z.int().min(0),
});
export type IssuedDeviceToken = z.infer<typeof IssuedDeviceToken>;

/** `hello-ok.auth` (required in v4): the effective role and scopes of this socket. */
export const HelloAuth = z.looseObject({
  method: z.enum(AUTH_METHODS).optional(),
  role: nonEmpty,
  /** Effective scopes enforced for this socket (may be narrower than requested). */
  scopes: z.array(nonEmpty),
  deviceToken: nonEmpty.optional(),
  issuedAtMs: z.int().min(0).optional(),
  deviceTokens: z.array(IssuedDeviceToken).optional(),
  recoveryScope: nonEmpty.optional(),
  recoveryMigrationAllowed: z.literal(true).optional(),
});
export type HelloAuth = z.infer<typeof HelloAuth>;

/** `hello-ok.features`: what this server offers. */
export const HelloFeatures = z.looseObject({
  methods: z.array(nonEmpty),
  events: z.array(nonEmpty),
  capabilities: z.array(nonEmpty).optional(),
});
export type HelloFeatures = z.infer<typeof HelloFeatures>;

/**
 * The `connect` response payload. Payload objects stay open so a newer server's
 * additions (UI extras, new policy keys) never break a client.
 */
export const HelloOk = z.looseObject({
  type: z.literal("hello-ok"),
  protocol: z.int().min(1),
  server: z.looseObject({
    /** OpenClaw release, e.g. `"2026.9.6"`. */
    version: nonEmpty,
    buildId: z.string().min(1).max(96).optional(),
    bootId: z.string().min(1).max(96).optional(),
    controlUiBuildSource: z.enum(["bundled", "configured"]).optional(),
    /** Per-connection id (uuid). */
    connId: nonEmpty,
  }),
  features: HelloFeatures,
  snapshot: Snapshot,
  auth: HelloAuth,
  policy: HelloPolicy,
});
export type HelloOk = z.infer<typeof HelloOk>;

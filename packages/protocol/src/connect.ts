import * as z from "zod";
import { GATEWAY_CLIENT_IDS, GATEWAY_CLIENT_MODES } from "./client-info.js";

const nonEmpty = z.string().min(1);

/** `connect.params.client`: who is connecting. Closed. */
export const ClientInfo = z.strictObject({
  id: z.enum(GATEWAY_CLIENT_IDS),
  displayName: nonEmpty.optional(),
  version: nonEmpty,
  buildId: z.string().min(1).max(96).optional(),
  platform: nonEmpty,
  deviceFamily: nonEmpty.optional(),
  modelIdentifier: nonEmpty.optional(),
  timeZone: z.string().min(1).max(64).optional(),
  mode: z.enum(GATEWAY_CLIENT_MODES),
  instanceId: nonEmpty.optional(),
});
export type ClientInfo = z.infer<typeof ClientInfo>;

/** `connect.params.device`: the Ed25519 proof of a device identity. Closed. */
export const DeviceProof = z.strictObject({
  /** Lowercase hex SHA-256 of the raw 32-byte public key. */
  id: nonEmpty,
  /** Raw public key, base64url without padding. */
  publicKey: nonEmpty,
  /** Ed25519 signature of the v3 (or v2) payload, base64url without padding. */
  signature: nonEmpty,
  /** ms timestamp; the reference client uses the challenge `ts`. */
  signedAt: z.int().min(0),
  /** The `connect.challenge` nonce. */
  nonce: nonEmpty,
});
export type DeviceProof = z.infer<typeof DeviceProof>;

/** `connect.params.auth`: credentials. Closed; every field optional. */
export const ConnectAuth = z.strictObject({
  token: z.string().optional(),
  bootstrapToken: z.string().optional(),
  deviceToken: z.string().optional(),
  password: z.string().optional(),
  approvalRuntimeToken: z.string().optional(),
  agentRuntimeIdentityToken: z.string().optional(),
});
export type ConnectAuth = z.infer<typeof ConnectAuth>;

/** `connect.params.workerRuns`: a node's worker-bundle claim (closed in the contract). */
export const WorkerRunsClaim = z.strictObject({
  /** Lowercase hex SHA-256 of the worker bundle. */
  bundleHash: z.string().regex(/^[a-f0-9]{64}$/),
  openclawVersion: z.string().min(1).max(128),
  protocolFeatures: z
    .array(z.string().min(1).max(128))
    .max(64)
    .refine((features) => new Set(features).size === features.length, "protocolFeatures must be unique"),
  bundlePrewarm: z.int().min(1).optional(),
});
export type WorkerRunsClaim = z.infer<typeof WorkerRunsClaim>;

/** `connect` request params (`ConnectParamsSchema`). Closed. */
export const ConnectParams = z.strictObject({
  minProtocol: z.int().min(1),
  maxProtocol: z.int().min(1),
  client: ClientInfo,
  caps: z.array(nonEmpty).optional(),
  commands: z.array(nonEmpty).optional(),
  permissions: z.record(z.string(), z.boolean()).optional(),
  pathEnv: z.string().optional(),
  computerUse: z.unknown().optional(),
  workerRuns: WorkerRunsClaim.optional(),
  /** 2026.9.6 addition (absent from the 2026.9.1 contract). */
  modelCatalog: z.unknown().optional(),
  role: nonEmpty.optional(),
  scopes: z.array(nonEmpty).optional(),
  device: DeviceProof.optional(),
  auth: ConnectAuth.optional(),
  locale: z.string().optional(),
  userAgent: z.string().optional(),
});
export type ConnectParams = z.infer<typeof ConnectParams>;

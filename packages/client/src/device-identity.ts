import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import {
  buildDeviceAuthPayloadV2,
  buildDeviceAuthPayloadV3,
  lazySchema,
  signatureTokenOf,
} from "@clawbridge/protocol";
import type { ConnectAuth, DeviceProof } from "@clawbridge/protocol";
import * as z from "zod";

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw key is the 32 bytes after it. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const RAW_KEY_BYTES = 32;

/**
 * An Ed25519 device identity. `publicKey` is the raw 32-byte key in base64url without
 * padding; `deviceId` is the lowercase hex SHA-256 of those raw bytes (what the gateway
 * recomputes and compares). The private key never leaves this object except through
 * {@link serializeDeviceIdentity} for the 0600 identity file.
 */
export interface DeviceIdentity {
  readonly deviceId: string;
  readonly publicKey: string;
  readonly privateKey: KeyObject;
  /** When the key was created (ms since epoch). */
  readonly createdAtMs: number;
}

/** Raw 32-byte Ed25519 public key from a Node `KeyObject` (via its SPKI DER). */
export function rawEd25519PublicKey(key: KeyObject): Buffer {
  const der = key.export({ type: "spki", format: "der" });
  if (der.length !== ED25519_SPKI_PREFIX.length + RAW_KEY_BYTES || !der.subarray(0, ED25519_SPKI_PREFIX.length).equals(ED25519_SPKI_PREFIX)) {
    throw new Error("not an Ed25519 public key");
  }
  return der.subarray(ED25519_SPKI_PREFIX.length);
}

/** Lowercase hex SHA-256 of the raw public key bytes: the gateway's device id. */
export function deviceIdOf(rawPublicKey: Buffer): string {
  return createHash("sha256").update(rawPublicKey).digest("hex");
}

function identityFromPrivateKey(privateKey: KeyObject, createdAtMs: number): DeviceIdentity {
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("device identity key must be Ed25519");
  const raw = rawEd25519PublicKey(createPublicKey(privateKey));
  return { deviceId: deviceIdOf(raw), publicKey: raw.toString("base64url"), privateKey, createdAtMs };
}

/** Generates a fresh Ed25519 device identity. */
export function generateDeviceIdentity(now: number = Date.now()): DeviceIdentity {
  const { privateKey } = generateKeyPairSync("ed25519");
  return identityFromPrivateKey(privateKey, now);
}

/** On-disk form of an identity (`identity.json`, mode 0600). */
const StoredIdentity = lazySchema(() =>
  z.object({
    version: z.literal(1),
    deviceId: z.string().regex(/^[0-9a-f]{64}$/),
    publicKey: z.string().min(1),
    /** PKCS#8 PEM. */
    privateKeyPem: z.string().min(1),
    createdAtMs: z.int().min(0),
  }),
);

/** JSON text for the identity file. Contains the private key: write it only with mode 0600. */
export function serializeDeviceIdentity(identity: DeviceIdentity): string {
  const privateKeyPem = identity.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return `${JSON.stringify(
    { version: 1, deviceId: identity.deviceId, publicKey: identity.publicKey, privateKeyPem, createdAtMs: identity.createdAtMs },
    null,
    2,
  )}\n`;
}

/**
 * Parses an identity file, re-deriving the public key and id from the private key and
 * refusing a file whose stored id or key disagrees (tampering or corruption).
 */
export function parseDeviceIdentity(text: string): DeviceIdentity {
  const stored = StoredIdentity.parse(JSON.parse(text));
  const identity = identityFromPrivateKey(createPrivateKey(stored.privateKeyPem), stored.createdAtMs);
  if (identity.deviceId !== stored.deviceId || identity.publicKey !== stored.publicKey) {
    throw new Error("device identity file is inconsistent (id or public key does not match the private key)");
  }
  return identity;
}

/** Which device-auth payload version to sign. */
export type DeviceSignatureVersion = "v3" | "v2";

/** What {@link signDeviceProof} needs from the connect params being sent. */
export interface DeviceProofInput {
  clientId: string;
  clientMode: string;
  role: string;
  /** Exactly `connect.params.scopes`, same order. */
  scopes: readonly string[];
  /** `connect.params.auth` (only its token/deviceToken/bootstrapToken enter the payload). */
  auth: ConnectAuth | undefined;
  platform: string;
  deviceFamily: string | undefined;
  /** The `connect.challenge` payload. */
  challenge: { nonce: string; ts: number };
  /** Default `v3` (what OpenClaw's reference client signs). */
  version?: DeviceSignatureVersion | undefined;
}

/**
 * Builds `connect.params.device`: signs the v3 (or v2) payload with `signedAt =
 * challenge.ts` and `nonce = challenge.nonce`, as the reference client does, so the
 * proof is valid on the gateway's clock regardless of local skew.
 */
export function signDeviceProof(identity: DeviceIdentity, input: DeviceProofInput): DeviceProof {
  const payloadInput = {
    deviceId: identity.deviceId,
    clientId: input.clientId,
    clientMode: input.clientMode,
    role: input.role,
    scopes: input.scopes,
    signedAtMs: input.challenge.ts,
    token: signatureTokenOf(input.auth),
    nonce: input.challenge.nonce,
    platform: input.platform,
    deviceFamily: input.deviceFamily,
  };
  const payload = input.version === "v2" ? buildDeviceAuthPayloadV2(payloadInput) : buildDeviceAuthPayloadV3(payloadInput);
  const signature = sign(null, Buffer.from(payload, "utf8"), identity.privateKey).toString("base64url");
  return {
    id: identity.deviceId,
    publicKey: identity.publicKey,
    signature,
    signedAt: input.challenge.ts,
    nonce: input.challenge.nonce,
  };
}

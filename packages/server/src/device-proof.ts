import { createHash, createPublicKey, verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import {
  ConnectErrorDetailCodes,
  DEVICE_SIGNATURE_SKEW_MS,
  ErrorCodes,
  buildDeviceAuthPayloadV2,
  buildDeviceAuthPayloadV3,
  signatureTokenOf,
} from "@clawbridge/protocol";
import type { ConnectErrorDetailCode, ConnectParams, DeviceProof } from "@clawbridge/protocol";
import { connectRejection } from "./connect-rejection.js";
import type { ConnectRejection } from "./connect-rejection.js";

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const RAW_KEY_BYTES = 32;

function decodeBase64Loose(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

/**
 * The raw 32-byte Ed25519 public key from a `device.publicKey` string: base64url
 * (what clients send), standard base64, or a PEM/base64 SPKI. `undefined` if it is none
 * of those.
 */
export function decodeDevicePublicKey(publicKey: string): Buffer | undefined {
  const trimmed = publicKey.trim();
  if (trimmed.startsWith("-----BEGIN")) {
    try {
      const der = createPublicKey(trimmed).export({ format: "der", type: "spki" });
      return spkiToRaw(der);
    } catch {
      return undefined;
    }
  }
  const bytes = decodeBase64Loose(trimmed);
  if (bytes === undefined) return undefined;
  if (bytes.length === RAW_KEY_BYTES) return bytes;
  return spkiToRaw(bytes);
}

function spkiToRaw(der: Buffer): Buffer | undefined {
  if (der.length !== ED25519_SPKI_PREFIX.length + RAW_KEY_BYTES) return undefined;
  if (!der.subarray(0, ED25519_SPKI_PREFIX.length).equals(ED25519_SPKI_PREFIX)) return undefined;
  return der.subarray(ED25519_SPKI_PREFIX.length);
}

/** Device id of a raw public key: lowercase hex SHA-256 of the 32 bytes. */
export function deviceIdFromPublicKey(raw: Buffer): string {
  return createHash("sha256").update(raw).digest("hex");
}

/** A Node `KeyObject` for a raw Ed25519 public key. */
export function ed25519PublicKeyObject(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

/** Device-auth failure reasons, as OpenClaw names them in `details.reason`. */
export type DeviceProofFailureReason =
  | "device-id-mismatch"
  | "device-signature-stale"
  | "device-nonce-missing"
  | "device-nonce-mismatch"
  | "device-signature"
  | "device-public-key";

const FAILURES: Record<DeviceProofFailureReason, { code: ConnectErrorDetailCode; message: string }> = {
  "device-id-mismatch": { code: ConnectErrorDetailCodes.DEVICE_AUTH_DEVICE_ID_MISMATCH, message: "device identity mismatch" },
  "device-signature-stale": { code: ConnectErrorDetailCodes.DEVICE_AUTH_SIGNATURE_EXPIRED, message: "device signature expired" },
  "device-nonce-missing": { code: ConnectErrorDetailCodes.DEVICE_AUTH_NONCE_REQUIRED, message: "device nonce required" },
  "device-nonce-mismatch": { code: ConnectErrorDetailCodes.DEVICE_AUTH_NONCE_MISMATCH, message: "device nonce mismatch" },
  "device-signature": { code: ConnectErrorDetailCodes.DEVICE_AUTH_SIGNATURE_INVALID, message: "device signature invalid" },
  "device-public-key": { code: ConnectErrorDetailCodes.DEVICE_AUTH_PUBLIC_KEY_INVALID, message: "device public key invalid" },
};

/** `INVALID_REQUEST` + `{code: DEVICE_AUTH_*, reason}`, close 1008 with the message. */
export function deviceProofRejection(reason: DeviceProofFailureReason): ConnectRejection {
  const failure = FAILURES[reason];
  return connectRejection(ErrorCodes.INVALID_REQUEST, failure.message, { code: failure.code, reason });
}

/** A verified device identity. */
export interface VerifiedDevice {
  readonly ok: true;
  readonly deviceId: string;
  /** Normalised public key: base64url of the raw 32 bytes, no padding. */
  readonly publicKey: string;
  /** Which signed payload matched. */
  readonly payloadVersion: "v3" | "v2";
}

/** Inputs of {@link verifyDeviceProof}. */
export interface DeviceProofCheck {
  readonly device: DeviceProof;
  readonly connect: ConnectParams;
  /** Effective role (`"operator"` when connect has none). */
  readonly role: string;
  /** The challenge nonce of this socket. */
  readonly nonce: string;
  /** Current time (ms). Default `Date.now()`. */
  readonly nowMs?: number | undefined;
  /** Allowed |now − signedAt| (ms). Default {@link DEVICE_SIGNATURE_SKEW_MS} (120 000). */
  readonly maxSkewMs?: number | undefined;
}

/**
 * Verifies an Ed25519 device proof in OpenClaw's order: id = sha256(raw key), signature
 * age, nonce present and equal to the challenge, v3 then v2 signature.
 */
export function verifyDeviceProof(check: DeviceProofCheck): VerifiedDevice | ConnectRejection {
  const { device, connect } = check;
  const raw = decodeDevicePublicKey(device.publicKey);
  // An undecodable key cannot match the claimed id either; OpenClaw reports the id first.
  if (raw === undefined || deviceIdFromPublicKey(raw) !== device.id) return deviceProofRejection("device-id-mismatch");
  const now = check.nowMs ?? Date.now();
  if (Math.abs(now - device.signedAt) > (check.maxSkewMs ?? DEVICE_SIGNATURE_SKEW_MS)) {
    return deviceProofRejection("device-signature-stale");
  }
  const nonce = device.nonce.trim();
  if (nonce === "") return deviceProofRejection("device-nonce-missing");
  if (nonce !== check.nonce) return deviceProofRejection("device-nonce-mismatch");
  let key: KeyObject;
  try {
    key = ed25519PublicKeyObject(raw);
  } catch {
    return deviceProofRejection("device-public-key");
  }
  const signature = decodeBase64Loose(device.signature.trim());
  if (signature === undefined) return deviceProofRejection("device-signature");
  const base = {
    deviceId: device.id,
    clientId: connect.client.id,
    clientMode: connect.client.mode,
    role: check.role,
    scopes: connect.scopes ?? [],
    signedAtMs: device.signedAt,
    token: signatureTokenOf(connect.auth),
    nonce,
  };
  const publicKey = raw.toString("base64url");
  const v3 = buildDeviceAuthPayloadV3({ ...base, platform: connect.client.platform, deviceFamily: connect.client.deviceFamily });
  if (verifySignature(key, v3, signature)) return { ok: true, deviceId: device.id, publicKey, payloadVersion: "v3" };
  if (verifySignature(key, buildDeviceAuthPayloadV2(base), signature)) {
    return { ok: true, deviceId: device.id, publicKey, payloadVersion: "v2" };
  }
  return deviceProofRejection("device-signature");
}

function verifySignature(key: KeyObject, payload: string, signature: Buffer): boolean {
  try {
    return verify(null, Buffer.from(payload, "utf8"), key, signature);
  } catch {
    return false;
  }
}

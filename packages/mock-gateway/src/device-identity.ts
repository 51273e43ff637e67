import { createHash, generateKeyPairSync, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { buildDeviceAuthPayloadV2, buildDeviceAuthPayloadV3, signatureTokenOf } from "@clawbridge/protocol";
import type { ConnectParams, DeviceProof } from "@clawbridge/protocol";

/** A client-side Ed25519 device identity (what a node or paired operator holds). */
export interface DeviceIdentity {
  /** Lowercase hex SHA-256 of the raw public key. */
  readonly deviceId: string;
  /** Raw 32-byte public key, base64url without padding. */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

/** Generates a fresh Ed25519 device identity. */
export function createDeviceIdentity(): DeviceIdentity {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  // The last 32 bytes of an Ed25519 SPKI DER are the raw key.
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { deviceId: createHash("sha256").update(raw).digest("hex"), publicKey: raw.toString("base64url"), privateKey };
}

/**
 * The `device` block for `connect`: signs the v3 payload (or v2) over the final params
 * (role, scopes, token, client metadata), as OpenClaw's reference client does.
 *
 * @param identity - the device keys
 * @param params - connect params without `device` (their `auth`, `role`, `scopes` are signed)
 * @param nonce - the `connect.challenge` nonce
 * @param signedAtMs - signature time (ms); the reference client uses the challenge `ts`. Default now.
 * @param version - payload version. Default `v3`.
 */
export function signDeviceProof(
  identity: DeviceIdentity,
  params: Omit<ConnectParams, "device">,
  nonce: string,
  signedAtMs: number = Date.now(),
  version: "v3" | "v2" = "v3",
): DeviceProof {
  const input = {
    deviceId: identity.deviceId,
    clientId: params.client.id,
    clientMode: params.client.mode,
    role: params.role ?? "operator",
    scopes: params.scopes ?? [],
    signedAtMs,
    token: signatureTokenOf(params.auth),
    nonce,
    platform: params.client.platform,
    deviceFamily: params.client.deviceFamily,
  };
  const payload = version === "v3" ? buildDeviceAuthPayloadV3(input) : buildDeviceAuthPayloadV2(input);
  const signature = sign(null, Buffer.from(payload, "utf8"), identity.privateKey).toString("base64url");
  return { id: identity.deviceId, publicKey: identity.publicKey, signature, signedAt: signedAtMs, nonce };
}

import { signDeviceProof } from "@clawbridge/mock-gateway";
import type { DeviceIdentity } from "@clawbridge/mock-gateway";
import type { ConnectParams } from "@clawbridge/protocol";
import { buildConnectParams } from "./frame-script.ts";
import type { ChallengePayload, ConnectParamsInput } from "./frame-script.ts";

/** How to spoil a device proof on purpose (to provoke one `DEVICE_AUTH_*` refusal). */
export type ProofTamper = "signature" | "nonce" | "device-id" | "signed-at";

/** Inputs of {@link signedConnectParams}: device-less connect params plus the signing identity. */
export interface SignedConnectInput extends ConnectParamsInput {
  /** The Ed25519 identity that signs the v3 payload. */
  readonly identity: DeviceIdentity;
  /** `client.displayName` (node hosts set one). */
  readonly displayName?: string;
  /** `client.deviceFamily` (signed in v3; default `"Linux"`). */
  readonly deviceFamily?: string;
  /** Node command claims (`connect.commands`). */
  readonly commands?: readonly string[];
  /** Spoil the proof after signing. Default: a valid proof. */
  readonly tamper?: ProofTamper;
}

/**
 * Builds `connect` params carrying a `device` proof over the challenge, for a frame-script
 * `connect` step (`params: signedConnectParams({...})`). The proof is signed exactly like
 * OpenClaw's reference client (v3 payload, `signedAt` = challenge `ts`), so the same step
 * works against the real gateway and the mock.
 */
export function signedConnectParams(input: SignedConnectInput): (challenge: ChallengePayload) => Record<string, unknown> {
  return (challenge) => {
    const base = buildConnectParams(input) as unknown as Omit<ConnectParams, "device">;
    const client = {
      ...base.client,
      deviceFamily: input.deviceFamily ?? "Linux",
      ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
    };
    const params: Omit<ConnectParams, "device"> = {
      ...base,
      client,
      ...(input.commands !== undefined ? { commands: [...input.commands] } : {}),
    };
    const nonce = typeof challenge["nonce"] === "string" ? challenge["nonce"] : "";
    const ts = typeof challenge["ts"] === "number" ? challenge["ts"] : Date.now();
    const device: Record<string, unknown> = { ...signDeviceProof(input.identity, params, nonce, ts) };
    switch (input.tamper) {
      case "signature":
        // Same length, different bytes: still well-formed base64url.
        device["signature"] = reverse(String(device["signature"]));
        break;
      case "nonce":
        device["nonce"] = "00000000-0000-4000-8000-000000000000";
        break;
      case "device-id":
        device["id"] = "0".repeat(64);
        break;
      case "signed-at":
        device["signedAt"] = ts - 10 * 60_000;
        break;
      default:
        break;
    }
    return { ...params, device };
  };
}

function reverse(text: string): string {
  return [...text].reverse().join("");
}

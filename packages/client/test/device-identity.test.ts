import { createHash, createPublicKey, verify } from "node:crypto";
import { buildDeviceAuthPayloadV2, buildDeviceAuthPayloadV3 } from "@clawbridge/protocol";
import { verifyDeviceProof } from "@clawbridge/server";
import { describe, expect, it } from "vitest";
import {
  deviceIdOf,
  generateDeviceIdentity,
  parseDeviceIdentity,
  rawEd25519PublicKey,
  serializeDeviceIdentity,
  signDeviceProof,
} from "../src/index.js";

const challenge = { nonce: "6f1c2f1e-1f7a-4d0b-9a55-3c1c1d2e3f40", ts: 1_760_000_000_000 };

describe("device identity", () => {
  it("derives the raw 32-byte key (base64url, no padding) and id = hex sha256(raw)", () => {
    const identity = generateDeviceIdentity();
    const raw = Buffer.from(identity.publicKey, "base64url");
    expect(raw).toHaveLength(32);
    expect(identity.publicKey).not.toMatch(/[=+/]/);
    expect(identity.deviceId).toBe(createHash("sha256").update(raw).digest("hex"));
    expect(identity.deviceId).toMatch(/^[0-9a-f]{64}$/);
    expect(rawEd25519PublicKey(createPublicKey(identity.privateKey)).equals(raw)).toBe(true);
    expect(deviceIdOf(raw)).toBe(identity.deviceId);
  });

  it("signs the v3 payload with signedAt = challenge.ts and nonce = challenge.nonce", () => {
    const identity = generateDeviceIdentity();
    const proof = signDeviceProof(identity, {
      clientId: "cli",
      clientMode: "cli",
      role: "operator",
      scopes: ["operator.read", "operator.write"],
      auth: { token: "shared-token" },
      platform: "linux",
      deviceFamily: "Linux",
      challenge,
    });
    expect(proof).toMatchObject({ id: identity.deviceId, publicKey: identity.publicKey, signedAt: challenge.ts, nonce: challenge.nonce });
    const payload = buildDeviceAuthPayloadV3({
      deviceId: identity.deviceId,
      clientId: "cli",
      clientMode: "cli",
      role: "operator",
      scopes: ["operator.read", "operator.write"],
      signedAtMs: challenge.ts,
      token: "shared-token",
      nonce: challenge.nonce,
      platform: "linux",
      deviceFamily: "Linux",
    });
    expect(payload).toBe(
      `v3|${identity.deviceId}|cli|cli|operator|operator.read,operator.write|${challenge.ts}|shared-token|${challenge.nonce}|linux|linux`,
    );
    const publicKey = createPublicKey(identity.privateKey);
    expect(verify(null, Buffer.from(payload), publicKey, Buffer.from(proof.signature, "base64url"))).toBe(true);
  });

  it("signs v2 on request, and the device token is the signature token when there is no shared token", () => {
    const identity = generateDeviceIdentity();
    const proof = signDeviceProof(identity, {
      clientId: "gateway-client",
      clientMode: "backend",
      role: "operator",
      scopes: [],
      auth: { deviceToken: "dev-token" },
      platform: "linux",
      deviceFamily: "Linux",
      challenge,
      version: "v2",
    });
    const payload = buildDeviceAuthPayloadV2({
      deviceId: identity.deviceId,
      clientId: "gateway-client",
      clientMode: "backend",
      role: "operator",
      scopes: [],
      signedAtMs: challenge.ts,
      token: "dev-token",
      nonce: challenge.nonce,
    });
    const publicKey = createPublicKey(identity.privateKey);
    expect(verify(null, Buffer.from(payload), publicKey, Buffer.from(proof.signature, "base64url"))).toBe(true);
  });

  it("is accepted by the server package's independent verifier", () => {
    const identity = generateDeviceIdentity();
    const now = Date.now();
    const proof = signDeviceProof(identity, {
      clientId: "cli",
      clientMode: "cli",
      role: "operator",
      scopes: ["operator.read"],
      auth: { token: "t0ken" },
      platform: "linux",
      deviceFamily: "Linux",
      challenge: { nonce: "n-1", ts: now },
    });
    const result = verifyDeviceProof({
      device: proof,
      connect: {
        minProtocol: 4,
        maxProtocol: 4,
        client: { id: "cli", mode: "cli", version: "0.1.0", platform: "linux", deviceFamily: "Linux" },
        role: "operator",
        scopes: ["operator.read"],
        auth: { token: "t0ken" },
        device: proof,
      },
      role: "operator",
      nonce: "n-1",
      nowMs: now,
    });
    expect(result).toMatchObject({ ok: true, deviceId: identity.deviceId, payloadVersion: "v3" });
  });

  it("round-trips through its file form and refuses a tampered file", () => {
    const identity = generateDeviceIdentity();
    const text = serializeDeviceIdentity(identity);
    const back = parseDeviceIdentity(text);
    expect(back.deviceId).toBe(identity.deviceId);
    expect(back.publicKey).toBe(identity.publicKey);
    const other = generateDeviceIdentity();
    const tampered = JSON.stringify({ ...JSON.parse(text), deviceId: other.deviceId });
    expect(() => parseDeviceIdentity(tampered)).toThrow(/inconsistent/);
  });
});

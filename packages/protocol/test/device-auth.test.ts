import { createHash, createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConnectParams,
  buildDeviceAuthPayloadV2,
  buildDeviceAuthPayloadV3,
  normalizeDeviceMetadata,
  signatureTokenOf,
} from "../src/index.js";
import type { DeviceAuthPayloadInput } from "../src/index.js";

interface PayloadVector {
  name: string;
  auth: { token?: string; deviceToken?: string; bootstrapToken?: string; password?: string };
  input: Omit<DeviceAuthPayloadInput, "token">;
  expectedToken: string;
  v3: string;
  v2: string;
}

interface Vectors {
  key: {
    algorithm: "Ed25519";
    seedHex: string;
    privateKeyPkcs8Pem: string;
    publicKeySpkiPem: string;
    publicKeyRawHex: string;
    publicKeyRawBase64Url: string;
    deviceId: string;
  };
  challenge: { nonce: string; ts: number };
  payloadVectors: PayloadVector[];
  signatureVectors: { name: string; payload: string; signatureBase64Url: string }[];
}

const fixtures = join(import.meta.dirname, "fixtures");
const vectors = JSON.parse(readFileSync(join(fixtures, "device-auth-vectors.json"), "utf8")) as Vectors;

/** Raw 32-byte Ed25519 public key of a KeyObject (the last 32 bytes of its SPKI DER). */
function rawPublicKey(pem: string): Buffer {
  return createPublicKey(pem).export({ type: "spki", format: "der" }).subarray(-32);
}

describe("device-auth payload strings (gateway-protocol §2.6)", () => {
  it("has vectors to check", () => {
    expect(vectors.payloadVectors.length).toBeGreaterThanOrEqual(8);
  });

  describe.each(vectors.payloadVectors)("$name", (vector) => {
    it("picks the signed token as token ?? deviceToken ?? bootstrapToken, never the password", () => {
      expect(signatureTokenOf(vector.auth)).toBe(vector.expectedToken);
    });

    it("builds the exact v3 and v2 strings", () => {
      const input = { ...vector.input, token: signatureTokenOf(vector.auth) };
      expect(buildDeviceAuthPayloadV3(input)).toBe(vector.v3);
      expect(buildDeviceAuthPayloadV2(input)).toBe(vector.v2);
    });

    it("never contains the password", () => {
      if (vector.auth.password === undefined) return;
      const input = { ...vector.input, token: signatureTokenOf(vector.auth) };
      expect(buildDeviceAuthPayloadV3(input)).not.toContain(vector.auth.password);
      expect(buildDeviceAuthPayloadV2(input)).not.toContain(vector.auth.password);
    });
  });

  it("covers the cases the issue names", () => {
    const names = vectors.payloadVectors.map((v) => v.v3);
    expect(names.some((v3) => v3.split("|")[5] === "")).toBe(true); // empty scopes
    expect(vectors.payloadVectors.some((v) => v.auth.password !== undefined && v.expectedToken === "")).toBe(true);
    expect(vectors.payloadVectors.some((v) => v.input.platform === "  LiNux ")).toBe(true);
  });

  it("v2 is v3 without the metadata fields, with a different version tag", () => {
    for (const vector of vectors.payloadVectors) {
      const v3 = vector.v3.split("|");
      const v2 = vector.v2.split("|");
      expect(v2).toEqual(["v2", ...v3.slice(1, 9)]);
      expect(v3).toHaveLength(11);
    }
  });

  it("absent token fields sign as empty, null/undefined too", () => {
    const base = vectors.payloadVectors[0];
    if (base === undefined) throw new Error("no vectors");
    expect(buildDeviceAuthPayloadV2({ ...base.input, token: null }).split("|")[7]).toBe("");
    expect(buildDeviceAuthPayloadV2({ ...base.input, token: undefined }).split("|")[7]).toBe("");
    expect(signatureTokenOf(undefined)).toBe("");
    expect(signatureTokenOf({})).toBe("");
  });

  it("keeps the scopes in request order (the server compares the exact string)", () => {
    const base = vectors.payloadVectors[0];
    if (base === undefined) throw new Error("no vectors");
    const forward = buildDeviceAuthPayloadV3({ ...base.input, scopes: ["operator.read", "operator.write"] });
    const reverse = buildDeviceAuthPayloadV3({ ...base.input, scopes: ["operator.write", "operator.read"] });
    expect(forward).toContain("|operator.read,operator.write|");
    expect(reverse).toContain("|operator.write,operator.read|");
  });

  it("normalizes metadata: trim, ASCII A-Z lowered, everything else untouched", () => {
    expect(normalizeDeviceMetadata("  LiNux ")).toBe("linux");
    expect(normalizeDeviceMetadata("Mac")).toBe("mac");
    expect(normalizeDeviceMetadata("ÄPPLE Straße İOS")).toBe("Äpple straße İos");
    expect(normalizeDeviceMetadata("ΣΊΣΥΦΟΣ")).toBe("ΣΊΣΥΦΟΣ");
    expect(normalizeDeviceMetadata(undefined)).toBe("");
    expect(normalizeDeviceMetadata(null)).toBe("");
    expect(normalizeDeviceMetadata("   ")).toBe("");
  });
});

describe("Ed25519 signing with the fixed key (deterministic)", () => {
  const privateKey = createPrivateKey(vectors.key.privateKeyPkcs8Pem);

  it("the fixture key is the RFC 8032 test key and its public halves agree", () => {
    const derivedPublic = createPublicKey(privateKey);
    expect(derivedPublic.export({ type: "spki", format: "pem" })).toBe(vectors.key.publicKeySpkiPem);
    const raw = rawPublicKey(vectors.key.publicKeySpkiPem);
    expect(raw.toString("hex")).toBe(vectors.key.publicKeyRawHex);
    expect(raw.toString("base64url")).toBe(vectors.key.publicKeyRawBase64Url);
    // PKCS#8 of an Ed25519 key ends with the 32-byte seed.
    expect(privateKey.export({ type: "pkcs8", format: "der" }).subarray(-32).toString("hex")).toBe(vectors.key.seedHex);
  });

  it("device id = lowercase hex SHA-256 of the raw 32-byte public key", () => {
    const raw = Buffer.from(vectors.key.publicKeyRawBase64Url, "base64url");
    expect(raw).toHaveLength(32);
    const id = createHash("sha256").update(raw).digest("hex");
    expect(id).toBe(vectors.key.deviceId);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    for (const vector of vectors.payloadVectors) expect(vector.input.deviceId).toBe(id);
  });

  describe.each(vectors.signatureVectors)("$name", (vector) => {
    it("signs to the pinned base64url signature (no padding) and verifies", () => {
      const signature = sign(null, Buffer.from(vector.payload, "utf8"), privateKey).toString("base64url");
      expect(signature).toBe(vector.signatureBase64Url);
      expect(signature).not.toContain("=");
      expect(
        verify(null, Buffer.from(vector.payload, "utf8"), createPublicKey(privateKey), Buffer.from(signature, "base64url")),
      ).toBe(true);
    });

    it("is the v3 payload our builder produces for the matching vector", () => {
      const source = vectors.payloadVectors.find((v) => v.v3 === vector.payload);
      expect(source).toBeDefined();
      if (source === undefined) return;
      expect(buildDeviceAuthPayloadV3({ ...source.input, token: signatureTokenOf(source.auth) })).toBe(vector.payload);
    });
  });

  it("the corpus node connect frame carries a proof the server would accept (v3, matching nonce, id, key)", () => {
    const frame = JSON.parse(
      readFileSync(join(fixtures, "frames", "valid", "req-connect-node-device.json"), "utf8"),
    ) as { params: unknown };
    const params = ConnectParams.parse(frame.params);
    const device = params.device;
    if (device === undefined) throw new Error("node connect fixture has no device");
    const raw = Buffer.from(device.publicKey, "base64url");
    expect(device.id).toBe(createHash("sha256").update(raw).digest("hex"));
    expect(device.nonce).toBe(vectors.challenge.nonce);
    expect(device.signedAt).toBe(vectors.challenge.ts);
    const payload = buildDeviceAuthPayloadV3({
      deviceId: device.id,
      clientId: params.client.id,
      clientMode: params.client.mode,
      role: params.role ?? "operator",
      scopes: params.scopes ?? [],
      signedAtMs: device.signedAt,
      token: signatureTokenOf(params.auth),
      nonce: device.nonce,
      platform: params.client.platform,
      deviceFamily: params.client.deviceFamily,
    });
    const publicKey = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: device.publicKey },
      format: "jwk",
    });
    expect(verify(null, Buffer.from(payload, "utf8"), publicKey, Buffer.from(device.signature, "base64url"))).toBe(true);
    // Tampering with any signed field breaks the proof.
    const tampered = payload.replace("|node|node|", "|node|operator|");
    expect(tampered).not.toBe(payload);
    expect(verify(null, Buffer.from(tampered, "utf8"), publicKey, Buffer.from(device.signature, "base64url"))).toBe(false);
  });
});

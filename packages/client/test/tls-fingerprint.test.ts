import { describe, expect, it } from "vitest";
import { GatewayClient, normalizeTlsFingerprint, TlsFingerprintError } from "../src/index.js";

const HEX = "ab".repeat(32);
const PAIRS = Array.from({ length: 32 }, () => "AB").join(":");

describe("TLS fingerprint normalisation", () => {
  it.each([HEX, HEX.toUpperCase(), PAIRS, `sha256:${HEX}`, `SHA256:${PAIRS}`, `  sha256:${PAIRS.toLowerCase()}  `])(
    "accepts %s",
    (input) => {
      expect(normalizeTlsFingerprint(input)).toBe(HEX);
    },
  );

  it.each(["ab".repeat(31), "zz".repeat(32), `${PAIRS}:AB`, "sha1:abcd", ""])("rejects %s", (input) => {
    expect(() => normalizeTlsFingerprint(input)).toThrow(TlsFingerprintError);
  });

  it("requires wss://", () => {
    let error: unknown;
    try {
      new GatewayClient({ url: "ws://127.0.0.1:1", tlsFingerprint: HEX });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TlsFingerprintError);
    expect((error as Error).message).toBe("gateway tls fingerprint requires wss:// gateway url");
    expect((error as TlsFingerprintError).code).toBe("TLS_FINGERPRINT_REQUIRES_WSS");
  });
});

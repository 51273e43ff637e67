import { X509Certificate } from "node:crypto";
import { generate } from "selfsigned";
import { describe, expect, it } from "vitest";
import { runCli, singleJson } from "./helpers/cli.js";
import { useMockGatewayFixture } from "./helpers/gateway.js";

const SAN = [
  { name: "basicConstraints" as const, cA: false },
  { name: "subjectAltName" as const, altNames: [{ type: 7 as const, ip: "127.0.0.1" }] },
];

describe("--tls-fingerprint against a wss:// gateway with a self-signed certificate", () => {
  let fingerprint: string;
  const fx = useMockGatewayFixture({
    gateway: async () => {
      const pem = await generate([{ name: "commonName", value: "openclaw-gateway" }], { keyType: "ec", algorithm: "sha256", extensions: SAN });
      fingerprint = new X509Certificate(pem.cert).fingerprint256;
      return { tls: { key: pem.private, cert: pem.cert } };
    },
  });
  const call = (args: string[]) => runCli(["gateway", "call", "health", "--token-env", "GW2_TOKEN", "--json", ...args], { env: fx.env });

  it("without a pin the self-signed certificate fails TLS validation (exit 3, kind tls)", async () => {
    expect(fx.gateway.url.startsWith("wss://")).toBe(true);
    const result = await call(["--url", fx.gateway.url]);
    expect(result.code).toBe(3);
    expect(singleJson(result.stdout)).toMatchObject({ error: { type: "gateway_transport_error", kind: "tls" } });
  });

  it("the right pin connects, in colon-pair and sha256:hex forms", async () => {
    const colon = await call(["--url", fx.gateway.url, "--tls-fingerprint", fingerprint]);
    expect(colon.code).toBe(0);
    const hex = await call(["--url", fx.gateway.url, "--tls-fingerprint", `sha256:${fingerprint.replaceAll(":", "").toLowerCase()}`]);
    expect(hex.code).toBe(0);
    expect(singleJson(hex.stdout)).toMatchObject({ ok: true });
  });

  it("a wrong pin is refused before the upgrade (exit 3, TLS_FINGERPRINT_MISMATCH)", async () => {
    const result = await call(["--url", fx.gateway.url, "--tls-fingerprint", "ab".repeat(32)]);
    expect(result.code).toBe(3);
    expect(singleJson(result.stdout)).toMatchObject({
      error: { kind: "tls", code: "TLS_FINGERPRINT_MISMATCH", details: { expected: "ab".repeat(32) } },
    });
  });

  it("a pin on ws:// or a malformed pin is a usage error", async () => {
    const plain = await call(["--url", "ws://127.0.0.1:1", "--tls-fingerprint", fingerprint]);
    expect(plain.code).toBe(2);
    expect(singleJson(plain.stdout)).toMatchObject({ error: { type: "usage_error", code: "TLS_FINGERPRINT_REQUIRES_WSS" } });
    const malformed = await call(["--url", fx.gateway.url, "--tls-fingerprint", "not-a-fingerprint"]);
    expect(malformed.code).toBe(2);
    expect(singleJson(malformed.stdout)).toMatchObject({ error: { type: "usage_error", code: "TLS_FINGERPRINT_INVALID" } });
  });
});

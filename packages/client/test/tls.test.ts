import { X509Certificate } from "node:crypto";
import { createServer } from "node:https";
import type { Server } from "node:https";
import type { AddressInfo } from "node:net";
import { ConnectError } from "@clawbridge/rpc-core";
import { createGatewayAuthenticator, GatewayServer } from "@clawbridge/server";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, TlsFingerprintError } from "../src/index.js";
import { TEST_TOKEN } from "./helpers/test-gateway.js";
import { tempConfigDir } from "./helpers/temp-config.js";

interface Pem {
  cert: string;
  private: string;
}

const SAN = [
  { name: "basicConstraints" as const, cA: false },
  { name: "subjectAltName" as const, altNames: [{ type: 2 as const, value: "localhost" }, { type: 7 as const, ip: "127.0.0.1" }] },
];

/** A wss:// gateway on its own HTTPS server, counting upgrade requests (to prove the pin is checked first). */
async function startTlsGateway(pem: Pem): Promise<{ url: string; upgrades: () => number; stop: () => Promise<void> }> {
  const server: Server = createServer({ key: pem.private, cert: pem.cert });
  let upgrades = 0;
  server.on("upgrade", () => {
    upgrades += 1;
  });
  const gateway = new GatewayServer({
    authenticate: createGatewayAuthenticator({ sharedSecret: { mode: "token", token: TEST_TOKEN } }).authenticate,
    keepaliveIntervalMs: 0,
  });
  gateway.router.register("health", () => ({ ok: true }));
  gateway.attach(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `wss://127.0.0.1:${port}`,
    upgrades: () => upgrades,
    stop: async () => {
      await gateway.close({ graceMs: 100 });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("wss:// with certificate pinning and custom CAs", () => {
  let selfSigned: Pem;
  let fingerprint: string;
  let ca: Pem;
  let leaf: Pem;
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempConfigDir());
    selfSigned = await generate([{ name: "commonName", value: "openclaw-gateway" }], { keyType: "ec", algorithm: "sha256", extensions: SAN });
    fingerprint = new X509Certificate(selfSigned.cert).fingerprint256;
    ca = await generate([{ name: "commonName", value: "clawbridge test CA" }], {
      keyType: "ec",
      algorithm: "sha256",
      extensions: [{ name: "basicConstraints", cA: true, critical: true }, { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true }],
    });
    leaf = await generate([{ name: "commonName", value: "gw2" }], {
      keyType: "ec",
      algorithm: "sha256",
      extensions: SAN,
      ca: { key: ca.private, cert: ca.cert },
    });
  });
  afterAll(async () => cleanup());

  it("connects when the pin matches (any accepted format), with CA validation replaced by the pin", async () => {
    const gateway = await startTlsGateway(selfSigned);
    try {
      for (const pin of [fingerprint, fingerprint.replace(/:/g, "").toLowerCase(), `sha256:${fingerprint}`]) {
        const result = await GatewayClient.callOnce({ url: gateway.url, token: TEST_TOKEN, configDir: dir, tlsFingerprint: pin }, "health");
        expect(result).toMatchObject({ ok: true });
      }
    } finally {
      await gateway.stop();
    }
  });

  it("refuses a mismatching pin before the HTTP upgrade is sent", async () => {
    const gateway = await startTlsGateway(selfSigned);
    try {
      const wrong = "00".repeat(32);
      const error = await GatewayClient.callOnce({ url: gateway.url, token: TEST_TOKEN, configDir: dir, tlsFingerprint: wrong }, "health").catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(TlsFingerprintError);
      expect((error as Error).message).toBe("gateway tls fingerprint mismatch");
      expect(error).toMatchObject({
        code: "TLS_FINGERPRINT_MISMATCH",
        expected: wrong,
        actual: fingerprint.replace(/:/g, "").toLowerCase(),
      });
      // Not even the upgrade request (which would carry headers) reached the impostor.
      expect(gateway.upgrades()).toBe(0);
    } finally {
      await gateway.stop();
    }
  });

  it("rejects a self-signed certificate without a pin or CA (normal validation)", async () => {
    const gateway = await startTlsGateway(selfSigned);
    try {
      const error = await GatewayClient.callOnce({ url: gateway.url, token: TEST_TOKEN, configDir: dir }, "health").catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
      expect(gateway.upgrades()).toBe(0);
    } finally {
      await gateway.stop();
    }
  });

  it("validates against a custom CA", async () => {
    const gateway = await startTlsGateway(leaf);
    try {
      const ok = await GatewayClient.callOnce({ url: gateway.url, token: TEST_TOKEN, configDir: dir, ca: ca.cert }, "health");
      expect(ok).toMatchObject({ ok: true });
      const error = await GatewayClient.callOnce({ url: gateway.url, token: TEST_TOKEN, configDir: dir }, "health").catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toMatch(/UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY|SELF_SIGNED/);
      const wrongCa = await GatewayClient.callOnce({ url: gateway.url, token: TEST_TOKEN, configDir: dir, ca: selfSigned.cert }, "health").catch(
        (caught: unknown) => caught,
      );
      expect(wrongCa).toBeInstanceOf(ConnectError);
    } finally {
      await gateway.stop();
    }
  });
});

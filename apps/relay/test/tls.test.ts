import { X509Certificate } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { Agent } from "node:https";
import { connect as tlsConnect } from "node:tls";
import { join } from "node:path";
import { ConnectError } from "@clawbridge/rpc-core";
import type { MockGateway } from "@clawbridge/mock-gateway";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken, newToken, relayClient, startRelay, startUpstream, tempDir, waitFor, writeSecret } from "./helpers/harness.js";

interface Pem {
  cert: string;
  private: string;
}

const UPSTREAM_TOKEN = newToken();
const CLIENT_TOKEN = newToken();
const SAN = [
  { name: "basicConstraints" as const, cA: false },
  { name: "subjectAltName" as const, altNames: [{ type: 7 as const, ip: "127.0.0.1" }] },
];

describe("TLS termination, client certificates and upstream pinning", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let ca: Pem;
  let serverPem: Pem;
  let clientPem: Pem;
  let upstreamPem: Pem;
  let gateway: MockGateway;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const caExtensions = [
      { name: "basicConstraints" as const, cA: true, critical: true },
      { name: "keyUsage" as const, keyCertSign: true, cRLSign: true, digitalSignature: true },
    ];
    ca = await generate([{ name: "commonName", value: "relay test CA" }], { keyType: "ec", algorithm: "sha256", extensions: caExtensions });
    const signed = { keyType: "ec" as const, algorithm: "sha256", extensions: SAN, ca: { key: ca.private, cert: ca.cert } };
    serverPem = await generate([{ name: "commonName", value: "relay" }], signed);
    clientPem = await generate([{ name: "commonName", value: "wn1" }], signed);
    upstreamPem = await generate([{ name: "commonName", value: "openclaw-gateway" }], { keyType: "ec", algorithm: "sha256", extensions: SAN });
    await writeFile(join(dir, "relay.crt"), serverPem.cert);
    await writeFile(join(dir, "relay.key"), serverPem.private);
    await writeFile(join(dir, "ca.crt"), ca.cert);
    await writeSecret(join(dir, "gw2.token"), UPSTREAM_TOKEN);
    gateway = await startUpstream(UPSTREAM_TOKEN, { tls: { key: upstreamPem.private, cert: upstreamPem.cert } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await cleanup?.();
  });

  const yaml = (pin: string): string => `listen:
  host: 127.0.0.1
  port: 0
  tls: { cert: relay.crt, key: relay.key, clientCa: ca.crt }
admin: { host: 127.0.0.1, port: 0 }
stateDir: state
upstreams:
  gw2:
    url: ${gateway.url}
    token: { file: gw2.token }
    tlsFingerprint: "${pin}"
clients:
  wn1:
    tokenSha256: ${hashToken(CLIENT_TOKEN)}
    upstreams: [gw2]
    allow: [health]
`;

  it("serves wss:// to clients holding a certificate from clientCa, and refuses the others", async () => {
    const pin = new X509Certificate(upstreamPem.cert).fingerprint256;
    const relay = await startRelay(dir, yaml(pin));
    try {
      expect(relay.relay.url).toMatch(/^wss:\/\//);
      const url = `${relay.relay.url}/gw/gw2`;
      const agent = new Agent({ cert: clientPem.cert, key: clientPem.private, ca: ca.cert });
      const client = relayClient(url, CLIENT_TOKEN, dir, { ca: ca.cert, agent });
      try {
        await client.connect();
        await expect(client.call("health", {})).resolves.toBeDefined();
      } finally {
        await client.close();
        agent.destroy();
      }
      const anonymous = relayClient(url, CLIENT_TOKEN, dir, { ca: ca.cert });
      const refused = await anonymous.connect().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ConnectError);
      await anonymous.close();
    } finally {
      await relay.close();
    }
  });

  it("re-reads the certificate on reload: new handshakes get the rotated one", async () => {
    const pin = new X509Certificate(upstreamPem.cert).fingerprint256;
    const relay = await startRelay(dir, yaml(pin), { file: "rotate.yaml" });
    const served = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = tlsConnect({ host: "127.0.0.1", port: relay.relay.port, ca: ca.cert, cert: clientPem.cert, key: clientPem.private }, () => {
          resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? "");
          socket.destroy();
        });
        socket.once("error", reject);
      });
    try {
      expect(await served()).toBe(new X509Certificate(serverPem.cert).fingerprint256);
      const rotated = await generate([{ name: "commonName", value: "relay-2" }], {
        keyType: "ec",
        algorithm: "sha256",
        extensions: SAN,
        ca: { key: ca.private, cert: ca.cert },
      });
      await writeFile(join(dir, "relay.crt"), rotated.cert);
      await writeFile(join(dir, "relay.key"), rotated.private);
      expect(await relay.relay.reload()).toMatchObject({ ok: true });
      expect(await served()).toBe(new X509Certificate(rotated.cert).fingerprint256);
    } finally {
      await relay.close();
      await writeFile(join(dir, "relay.crt"), serverPem.cert);
      await writeFile(join(dir, "relay.key"), serverPem.private);
    }
  });

  it("pins the upstream certificate: a wrong pin keeps the relay unready and says why", async () => {
    const relay = await startRelay(dir, yaml("00".repeat(32)), { waitReady: false, file: "pin.yaml" });
    try {
      await waitFor(() => relay.relay.pool.get("gw2")?.status().lastError !== undefined, 10_000, "a connect failure");
      expect(relay.relay.pool.ready).toBe(false);
      expect(relay.relay.pool.get("gw2")?.status().lastError).toContain("fingerprint mismatch");
      const readyz = await fetch(`${relay.relay.adminUrl}/readyz`);
      expect(readyz.status).toBe(503);
      expect(await readyz.json()).toMatchObject({ ready: false, upstreams: { gw2: { ready: false } } });
    } finally {
      await relay.close();
    }
  });
});

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateDeviceIdentity, PairingRequiredError } from "@clawbridge/client";
import type { MockGateway } from "@clawbridge/mock-gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken, newToken, relayClient, relayYaml, startRelay, startUpstream, tempDir, waitFor, writeSecret } from "./helpers/harness.js";
import type { TestRelay } from "./helpers/harness.js";
import { rawConnect } from "./helpers/raw-client.js";

const UPSTREAM_TOKEN = newToken();
const TOKEN_A = newToken();
const TOKEN_B = newToken();

describe("client identities and policy reload", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gateway: MockGateway;
  let relay: TestRelay;
  const approved = generateDeviceIdentity();
  const stranger = generateDeviceIdentity();
  const yaml = (clients: string): string =>
    relayYaml({
      stateDir: join(dir, "state"),
      upstreams: { gw2: { url: gateway.url, tokenFile: join(dir, "gw2.token") } },
      clients,
    });
  const baseClients = (): string => `  a:
    tokenSha256: ${hashToken(TOKEN_A)}
    upstreams: [gw2]
    allow: [health]
  b:
    tokenSha256: ${hashToken(TOKEN_B)}
    upstreams: [gw2]
    allow: [health, status]
  dev:
    devices: [${approved.deviceId}]
    upstreams: [gw2]
    allow: [health]
`;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    gateway = await startUpstream(UPSTREAM_TOKEN);
    await writeSecret(join(dir, "gw2.token"), UPSTREAM_TOKEN);
    relay = await startRelay(dir, yaml(baseClients()));
  });
  afterAll(async () => {
    await relay?.close();
    await gateway?.stop();
    await cleanup?.();
  });

  it("admits a device identity the operator listed, with no token at all", async () => {
    const client = relayClient(relay.url("/"), "", dir, { token: undefined, device: "always", deviceIdentity: approved });
    try {
      const hello = await client.connect();
      expect(hello.auth).toMatchObject({ role: "operator", scopes: ["operator.read"] });
      await expect(client.call("health", {})).resolves.toBeDefined();
      expect(relay.audit.find({ event: "connect", decision: "allow", client: "dev" }).at(-1)).toMatchObject({ device: approved.deviceId });
    } finally {
      await client.close();
    }
  });

  it("answers an unknown device with PAIRING_REQUIRED and tells the relay operator which id to approve", async () => {
    const client = relayClient(relay.url("/"), "", dir, { token: undefined, device: "always", deviceIdentity: stranger });
    const error = await client.connect().catch((caught: unknown) => caught);
    await client.close();
    expect(error).toBeInstanceOf(PairingRequiredError);
    expect(error).toMatchObject({ code: "NOT_PAIRED", deviceId: stranger.deviceId });
    expect((error as PairingRequiredError).remediationHint).toContain("clients.<id>.devices");
    expect(relay.audit.find({ event: "connect", decision: "deny", reason: "device_not_approved" }).at(-1)).toMatchObject({
      device: stranger.deviceId,
    });
  });

  it("refuses a valid token presented with another client's device", async () => {
    const client = relayClient(relay.url("/"), TOKEN_A, dir, { device: "always", deviceIdentity: approved });
    const error = await client.connect().catch((caught: unknown) => caught);
    await client.close();
    expect(error).toMatchObject({ code: "INVALID_REQUEST", detailCode: "AUTH_UNAUTHORIZED" });
  });

  it("reload: removed or re-keyed clients are disconnected 4001, others keep their socket under the new policy", async () => {
    const a = await rawConnect(relay.url("/"), TOKEN_A);
    const b = await rawConnect(relay.url("/"), TOKEN_B);
    expect(await b.request("s1", "status", {})).toMatchObject({ ok: true });
    const next = baseClients()
      .replace(`    tokenSha256: ${hashToken(TOKEN_A)}\n`, `    tokenSha256: ${hashToken(newToken())}\n`)
      .replace("    allow: [health, status]\n", "    allow: [health]\n");
    await writeFile(join(dir, "relay.yaml"), yaml(next));
    expect(await relay.relay.reload()).toEqual({ ok: true, clients: 3 });
    expect(await a.closed).toEqual({ code: 4001, reason: "client invalidated: credentials changed" });
    const denied = await b.request("s2", "status", {});
    expect(denied).toMatchObject({ ok: false, error: { code: "FORBIDDEN", details: { rule: "methodNotAllowed" } } });
    expect(await b.request("h1", "health", {})).toMatchObject({ ok: true });

    await writeFile(join(dir, "relay.yaml"), yaml(next.slice(next.indexOf("  dev:"))));
    expect(await relay.relay.reload()).toEqual({ ok: true, clients: 1 });
    expect(await b.closed).toEqual({ code: 4001, reason: "client invalidated: removed from relay config" });
    await waitFor(() => relay.relay.server.connections.size === 0, 5_000, "connections closed");
  });
});

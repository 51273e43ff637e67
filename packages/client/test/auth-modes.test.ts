import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ConnectRejectedError,
  CredentialStore,
  GatewayClient,
  generateDeviceIdentity,
  storeSlotForRemote,
} from "../src/index.js";
import { startTestGateway, TEST_TOKEN } from "./helpers/test-gateway.js";
import type { TestGateway } from "./helpers/test-gateway.js";
import { tempConfigDir } from "./helpers/temp-config.js";

describe("auth modes against the server core", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gateway: TestGateway | undefined;
  const clients: GatewayClient[] = [];
  const track = (client: GatewayClient): GatewayClient => {
    clients.push(client);
    return client;
  };
  beforeEach(async () => {
    ({ dir, cleanup } = await tempConfigDir());
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await gateway?.stop();
    gateway = undefined;
    await cleanup();
  });

  it("token: connects, exposes hello (policy, features, role, scopes, server) and calls typed methods", async () => {
    gateway = await startTestGateway();
    const client = track(new GatewayClient({ url: gateway.url, token: TEST_TOKEN, configDir: dir, methods: ["node.list"] }));
    const states: string[] = [];
    client.onStateChange((state) => states.push(state));
    const hello = await client.connect();
    expect(hello.type).toBe("hello-ok");
    expect(client.state).toBe("open");
    expect(states).toEqual(["connecting", "handshaking", "open"]);
    expect(client.role).toBe("operator");
    expect(client.scopes).toEqual(["operator.read"]);
    expect(client.policy?.maxPayload).toBe(26_214_400);
    expect(client.features?.methods).toContain("node.list");
    expect(client.server?.version).toBe("2026.9.6");
    const connect = gateway.connects[0];
    expect(connect).toMatchObject({
      minProtocol: 4,
      maxProtocol: 4,
      role: "operator",
      scopes: ["operator.read"],
      caps: [],
      auth: { token: TEST_TOKEN },
      client: { id: "gateway-client", mode: "backend", platform: "linux", deviceFamily: "Linux" },
    });
    expect(connect?.client.instanceId).toMatch(/^[0-9a-f-]{36}$/);
    // Loopback + shared secret + device "auto": no device identity, like OpenClaw's CLI.
    expect(connect?.device).toBeUndefined();
    const { Methods } = await import("@clawbridge/protocol");
    const result = await client.call(Methods.NodeList, {});
    expect(result.nodes).toEqual([]);
    await client.close();
    expect(client.state).toBe("closed");
  });

  it("password: sends auth.password", async () => {
    gateway = await startTestGateway({ auth: { mode: "password", password: "pw-0123456789" } });
    const client = track(new GatewayClient({ url: gateway.url, password: "pw-0123456789", configDir: dir }));
    await client.connect();
    expect(gateway.connects[0]?.auth).toEqual({ password: "pw-0123456789" });
    expect(await client.call("health")).toMatchObject({ ok: true });
  });

  it("warns when the gateway grants fewer scopes than requested (device-less clients other than cli/backend get [])", async () => {
    gateway = await startTestGateway();
    const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
    const client = track(
      new GatewayClient({
        url: gateway.url,
        token: TEST_TOKEN,
        configDir: dir,
        client: { id: "test", mode: "test" },
        logger: { warn: (message, fields) => warnings.push({ message, fields }) },
      }),
    );
    await client.connect();
    expect(client.scopes).toEqual([]);
    expect(warnings).toEqual([
      expect.objectContaining({
        message: "gateway granted fewer scopes than requested",
        fields: expect.objectContaining({ requested: ["operator.read"], granted: [] }),
      }),
    ]);
  });

  it("wrong token: ConnectRejectedError with AUTH_TOKEN_MISMATCH, client back to idle", async () => {
    gateway = await startTestGateway();
    const client = track(new GatewayClient({ url: gateway.url, token: "wrong-token-xyz", configDir: dir }));
    const error = await client.connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectRejectedError);
    expect(error).toMatchObject({ code: "INVALID_REQUEST", detailCode: "AUTH_TOKEN_MISMATCH" });
    expect(client.state).toBe("idle");
  });

  it("device identity (v3): signs the challenge, stores the issued device token (0600) with role and scopes", async () => {
    gateway = await startTestGateway();
    const client = track(
      new GatewayClient({ url: gateway.url, token: TEST_TOKEN, configDir: dir, device: "always", credentialSlot: "remote-gw", methods: ["node.list"] }),
    );
    const hello = await client.connect();
    const deviceId = await client.deviceId();
    expect(gateway.connects[0]?.device?.id).toBe(deviceId);
    expect(hello.auth.deviceToken).toBeTypeOf("string");
    const stored = await new CredentialStore(dir, "remote-gw").loadDeviceToken(deviceId ?? "", "operator");
    expect(stored).toMatchObject({ token: hello.auth.deviceToken, role: "operator", scopes: ["operator.read"] });
  });

  it("stored device token: reused on the next connect as auth.deviceToken, even without a shared secret", async () => {
    gateway = await startTestGateway();
    const first = track(new GatewayClient({ url: gateway.url, token: TEST_TOKEN, configDir: dir, device: "always", credentialSlot: "remote-gw" }));
    const issued = (await first.connect()).auth.deviceToken;
    await first.close();
    const second = track(new GatewayClient({ url: gateway.url, configDir: dir, device: "always", credentialSlot: "remote-gw" }));
    const hello = await second.connect();
    const connect = gateway.connects[1];
    expect(connect?.auth).toEqual({ deviceToken: issued });
    expect(connect?.device?.id).toBe(await second.deviceId());
    expect(hello.auth.method).toBe("device-token");
    expect(await second.call("status")).toMatchObject({ ok: true });
  });

  it("explicit device token and v2 signature", async () => {
    gateway = await startTestGateway();
    const identity = generateDeviceIdentity();
    const seed = track(new GatewayClient({ url: gateway.url, token: TEST_TOKEN, configDir: dir, deviceIdentity: identity }));
    const token = (await seed.connect()).auth.deviceToken;
    await seed.close();
    const client = track(
      new GatewayClient({ url: gateway.url, configDir: dir, deviceIdentity: identity, deviceToken: token, signatureVersion: "v2", credentialSlot: "remote-other" }),
    );
    const hello = await client.connect();
    expect(hello.auth.method).toBe("device-token");
    expect(gateway.connects[1]?.auth).toEqual({ deviceToken: token });
  });

  it("AUTH_DEVICE_TOKEN_MISMATCH while using a stored token clears it", async () => {
    gateway = await startTestGateway();
    const slot = storeSlotForRemote("gw");
    const store = new CredentialStore(dir, slot);
    const identity = await store.loadOrCreateIdentity();
    const first = track(new GatewayClient({ url: gateway.url, token: TEST_TOKEN, configDir: dir, device: "always", credentialSlot: slot }));
    await first.connect();
    await first.close();
    // The gateway revokes the device's token (forgets the device).
    gateway.pairing.remove(identity.deviceId);
    const pairedAgain = gateway.pairing.pair({ deviceId: identity.deviceId, publicKey: identity.publicKey, role: "operator", scopes: ["operator.read"] });
    expect(pairedAgain).toBeDefined();
    await store.saveDeviceToken(identity.deviceId, { token: "stale-device-token-000", role: "operator", scopes: ["operator.read"], issuedAtMs: 1 });
    const client = track(new GatewayClient({ url: gateway.url, configDir: dir, device: "always", credentialSlot: slot }));
    const error = await client.connect().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ detailCode: "AUTH_DEVICE_TOKEN_MISMATCH" });
    expect(await store.loadDeviceToken(identity.deviceId, "operator")).toBeUndefined();
  });
});

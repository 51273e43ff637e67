import { Methods } from "@clawbridge/protocol";
import { MockGateway } from "@clawbridge/mock-gateway";
import { ConnectionClosedError, GatewayRequestError, RequestTimeoutError } from "@clawbridge/rpc-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CallTimeoutError, ConnectRejectedError, CredentialStore, GatewayClient, PairingRequiredError } from "../src/index.js";
import type { GatewayClientOptions } from "../src/index.js";
import { tempConfigDir, waitFor } from "./helpers/temp-config.js";

const TOKEN = "mock-gw-token-0123456789";

describe("against MockGateway (loopback, port 0, real sockets)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const gateways: MockGateway[] = [];
  const clients: GatewayClient[] = [];
  const startMock = async (options: Partial<ConstructorParameters<typeof MockGateway>[0]> = {}): Promise<MockGateway> => {
    const gateway = new MockGateway({ auth: { token: TOKEN }, server: { keepaliveIntervalMs: 0 }, ...options });
    await gateway.start();
    gateways.push(gateway);
    return gateway;
  };
  const make = (gateway: MockGateway, options: GatewayClientOptions = {}): GatewayClient => {
    const client = new GatewayClient({ url: gateway.url, token: TOKEN, configDir: dir, ...options });
    clients.push(client);
    return client;
  };
  beforeEach(async () => {
    ({ dir, cleanup } = await tempConfigDir());
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(gateways.splice(0).map((g) => g.stop({ graceMs: 100 })));
    await cleanup();
  });

  it("token auth: typed calls with least-privilege scopes", async () => {
    const gateway = await startMock();
    gateway.addFakeNode({ nodeId: "wn2", displayName: "worker 2", commands: ["system.run"] });
    const result = await GatewayClient.callOnce({ url: gateway.url, token: TOKEN, configDir: dir }, Methods.NodeList, {});
    expect(result.nodes.map((n) => n.nodeId)).toEqual(["wn2"]);
    const client = make(gateway, { methods: ["status", "health"] });
    await client.connect();
    expect(client.scopes).toEqual(["operator.read"]);
    expect(await client.call(Methods.Health, {})).toBeTypeOf("object");
  });

  it("password auth, and a wrong password is a ConnectRejectedError", async () => {
    const gateway = await startMock({ auth: { password: "mock-pw-9876543210" } });
    const ok = make(gateway, { token: undefined, password: "mock-pw-9876543210" });
    await ok.connect();
    const bad = make(gateway, { token: undefined, password: "nope-nope-nope" });
    await expect(bad.connect()).rejects.toMatchObject({ name: "ConnectRejectedError", detailCode: "AUTH_PASSWORD_MISMATCH" });
  });

  it("device identity: pairing pending → approved via the mock's admin API → device token reused without the shared token", async () => {
    const gateway = await startMock({ autoApproveLocal: false });
    const client = make(gateway, { device: "always", credentialSlot: "remote-gw2", methods: ["node.list"] });
    const first = await client.connect().catch((caught: unknown) => caught);
    expect(first).toBeInstanceOf(PairingRequiredError);
    const pending = gateway.pendingDevicePairings();
    expect(pending).toHaveLength(1);
    expect((first as PairingRequiredError).approveCommand).toBe(`openclaw devices approve ${pending[0]?.requestId}`);

    const hello = await client.waitForPairing({
      schedule: { initialMs: 20, maxMs: 50, totalMs: 10_000 },
      onAttempt: ({ error }) => {
        if (error.requestId !== undefined) gateway.approveDevicePairing(error.requestId);
      },
    });
    expect(hello.auth.deviceToken).toBeTypeOf("string");
    const deviceId = (await client.deviceId()) ?? "";
    expect((await new CredentialStore(dir, "remote-gw2").loadDeviceToken(deviceId, "operator"))?.token).toBe(hello.auth.deviceToken);
    await client.close();

    const reuse = make(gateway, { token: undefined, device: "always", credentialSlot: "remote-gw2", methods: ["node.list"] });
    const again = await reuse.connect();
    expect(again.auth.method).toBe("device-token");
    expect(await reuse.call(Methods.NodeList, {})).toMatchObject({ nodes: [] });
  });

  it("reconnects after stop + start on the same port; a request queued meanwhile is sent after the new hello", async () => {
    const first = await startMock();
    const client = make(first, { reconnect: { initialMs: 20, maxMs: 100 } });
    await client.connect();
    const port = first.port;
    await first.stop({ graceMs: 100 });
    await waitFor(() => client.state !== "open", 5_000, "link loss");
    const queued = client.call("status", {}, { timeoutMs: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await startMock({ port });
    expect(await queued).toBeTypeOf("object");
    expect(client.state).toBe("open");
    expect(second.server.connections.size).toBe(1);
  });

  it("stalled gateway: the tick watchdog closes 4000 'tick timeout' and the client reconnects", async () => {
    const gateway = await startMock({ tickIntervalMs: 40 });
    const closes: { code: number; reason: string }[] = [];
    gateway.server.onDisconnect(({ code, reason }) => closes.push({ code, reason }));
    const client = make(gateway, { reconnect: { initialMs: 20, maxMs: 50 } });
    await client.connect();
    gateway.faults.stall();
    await waitFor(() => closes.length >= 1, 5_000, "tick timeout");
    expect(closes[0]).toEqual({ code: 4000, reason: "tick timeout" });
    gateway.faults.stall(false);
    await waitFor(() => client.state === "open" && gateway.server.connections.size === 1, 5_000, "reconnected");
  });

  it("fault injection: delay → timeout after the request was sent; error → GatewayRequestError; close → pending rejected, not replayed", async () => {
    const gateway = await startMock();
    const client = make(gateway);
    await client.connect();

    gateway.faults.set("status", { delayMs: 2_000, times: 1 });
    const slow = await client.call("status", {}, { timeoutMs: 100 }).catch((caught: unknown) => caught);
    expect(slow).toBeInstanceOf(RequestTimeoutError);
    expect(slow).toMatchObject({ requestSent: true });

    gateway.faults.set("status", { error: { code: "UNAVAILABLE", message: "busy", retryable: true, retryAfterMs: 50 }, times: 1 });
    const failed = await client.call("status").catch((caught: unknown) => caught);
    expect(failed).toBeInstanceOf(GatewayRequestError);
    expect(failed).toMatchObject({ code: "UNAVAILABLE", retryable: true, retryAfterMs: 50 });

    gateway.faults.set("status", { close: { code: 1011, reason: "boom" }, times: 1 });
    const closed = await client.call("status").catch((caught: unknown) => caught);
    expect(closed).toBeInstanceOf(ConnectionClosedError);
    expect(closed).toMatchObject({ code: 1011, reason: "boom", requestSent: true });
    expect(client.state).toBe("idle");
  });

  it("one-shot budget: a dropped request ends in CallTimeoutError with requestSent true", async () => {
    const gateway = await startMock();
    gateway.faults.set("health", { drop: true });
    const dropped = await GatewayClient.callOnce({ url: gateway.url, token: TOKEN, configDir: dir }, "health", {}, { timeoutMs: 200 }).catch(
      (caught: unknown) => caught,
    );
    expect(dropped).toBeInstanceOf(CallTimeoutError);
    expect(dropped).toMatchObject({ phase: "request", requestSent: true });
  });

  it("rejects a stale stored device token and clears it", async () => {
    const gateway = await startMock();
    const client = make(gateway, { device: "always", credentialSlot: "remote-x" });
    await client.connect();
    const deviceId = (await client.deviceId()) ?? "";
    await client.close();
    const store = new CredentialStore(dir, "remote-x");
    await store.saveDeviceToken(deviceId, { token: "stale-token-123456", role: "operator", scopes: ["operator.read"], issuedAtMs: 1 });
    const stale = make(gateway, { token: undefined, device: "always", credentialSlot: "remote-x" });
    const error = await stale.connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectRejectedError);
    expect(error).toMatchObject({ detailCode: "AUTH_DEVICE_TOKEN_MISMATCH" });
    expect(await store.loadDeviceToken(deviceId, "operator")).toBeUndefined();
  });
});

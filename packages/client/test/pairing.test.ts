import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CredentialStore, GatewayClient, PairingRequiredError, PairingTimeoutError } from "../src/index.js";
import { startTestGateway, TEST_TOKEN } from "./helpers/test-gateway.js";
import type { TestGateway } from "./helpers/test-gateway.js";
import { tempConfigDir } from "./helpers/temp-config.js";

describe("device pairing", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gateway: TestGateway;
  const clients: GatewayClient[] = [];
  const make = (options: ConstructorParameters<typeof GatewayClient>[0]): GatewayClient => {
    const client = new GatewayClient({ url: gateway.url, configDir: dir, device: "always", credentialSlot: "remote-gw2", ...options });
    clients.push(client);
    return client;
  };
  beforeEach(async () => {
    ({ dir, cleanup } = await tempConfigDir());
    // Loopback connects are auto-approved by default; this gateway wants an operator's approval.
    gateway = await startTestGateway({ autoApproveLocal: false });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await gateway.stop();
    await cleanup();
  });

  it("throws PairingRequiredError with requestId, reason, deviceId and the exact approve command", async () => {
    const client = make({ token: TEST_TOKEN, methods: ["node.list"] });
    const error = await client.connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PairingRequiredError);
    const pairing = error as PairingRequiredError;
    const pending = gateway.pairing.listPending();
    expect(pending).toHaveLength(1);
    expect(pairing.requestId).toBe(pending[0]?.requestId);
    expect(pairing.reason).toBe("not-paired");
    expect(pairing.deviceId).toBe(await client.deviceId());
    expect(pairing.approveCommand).toBe(`openclaw devices approve ${pending[0]?.requestId}`);
    expect(pairing.message).toContain(pairing.approveCommand);
    expect(pairing).toMatchObject({ code: "NOT_PAIRED", detailCode: "PAIRING_REQUIRED" });
  });

  it("waitForPairing: pending → approved → device token stored → reused without the shared token", async () => {
    const client = make({ token: TEST_TOKEN, methods: ["node.list"] });
    const attempts: number[] = [];
    const hello = await client.waitForPairing({
      schedule: { initialMs: 20, maxMs: 100, totalMs: 10_000 },
      onAttempt: ({ attempt, error }) => {
        attempts.push(attempt);
        if (attempt === 2 && error.requestId !== undefined) gateway.pairing.approve(error.requestId);
      },
    });
    expect(attempts).toEqual([1, 2]);
    expect(client.state).toBe("open");
    expect(hello.auth.deviceToken).toBeTypeOf("string");
    const deviceId = (await client.deviceId()) ?? "";
    const stored = await new CredentialStore(dir, "remote-gw2").loadDeviceToken(deviceId, "operator");
    expect(stored?.token).toBe(hello.auth.deviceToken);
    expect(stored?.scopes).toEqual(["operator.read"]);
    await client.close();

    const reuse = make({});
    const again = await reuse.connect();
    expect(again.auth.method).toBe("device-token");
    expect(gateway.connects.at(-1)?.auth).toEqual({ deviceToken: hello.auth.deviceToken });
    expect(await reuse.call("node.list")).toMatchObject({ nodes: [] });
  });

  it("waitForPairing gives up at the total deadline with the approve step", async () => {
    const client = make({ token: TEST_TOKEN });
    const error = await client
      .waitForPairing({ schedule: { initialMs: 20, maxMs: 40, totalMs: 150 } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PairingTimeoutError);
    const timeout = error as PairingTimeoutError;
    expect(timeout.attempts).toBeGreaterThanOrEqual(2);
    expect(timeout.approveCommand).toBe(`openclaw devices approve ${gateway.pairing.listPending()[0]?.requestId}`);
  });

  it("waitForPairing stops on abort", async () => {
    const client = make({ token: TEST_TOKEN });
    const controller = new AbortController();
    const waiting = client.waitForPairing({
      signal: controller.signal,
      // A minute-long wait: only a working abort lets this finish within the test timeout.
      schedule: { initialMs: 60_000, maxMs: 60_000 },
      onAttempt: () => controller.abort(new Error("stop waiting")),
    });
    await expect(waiting).rejects.toThrow("stop waiting");
  });

  it("with reconnect: PAIRING_REQUIRED pauses the loop instead of hammering the gateway", async () => {
    const client = make({ token: TEST_TOKEN, reconnect: { initialMs: 10, maxMs: 20 } });
    await expect(client.connect()).rejects.toBeInstanceOf(PairingRequiredError);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(gateway.connects).toHaveLength(1);
    expect(client.state).toBe("idle");
  });
});

import { ConnectionClosedError, RequestTimeoutError } from "@clawbridge/rpc-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../src/index.js";
import type { ClientState, ConnectAttemptFailure } from "../src/index.js";
import { startTestGateway, TEST_TOKEN } from "./helpers/test-gateway.js";
import type { TestGateway } from "./helpers/test-gateway.js";
import { tempConfigDir, waitFor } from "./helpers/temp-config.js";

describe("resilience (long-lived mode)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const gateways: TestGateway[] = [];
  const clients: GatewayClient[] = [];
  const startGateway = async (options: Parameters<typeof startTestGateway>[0] = {}): Promise<TestGateway> => {
    const gateway = await startTestGateway(options);
    gateways.push(gateway);
    return gateway;
  };
  const make = (options: ConstructorParameters<typeof GatewayClient>[0]): GatewayClient => {
    const client = new GatewayClient({ token: TEST_TOKEN, configDir: dir, ...options });
    clients.push(client);
    return client;
  };
  beforeEach(async () => {
    ({ dir, cleanup } = await tempConfigDir());
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(gateways.splice(0).map((g) => g.stop()));
    await cleanup();
  });

  it("reconnects after the gateway restarts on the same port; pending requests fail, queued ones are sent after the new hello", async () => {
    const first = await startGateway();
    const client = make({ url: first.url, reconnect: { initialMs: 20, maxMs: 100 } });
    const states: ClientState[] = [];
    const failures: ConnectAttemptFailure[] = [];
    client.onStateChange((state) => states.push(state));
    client.onConnectError((failure) => failures.push(failure));
    await client.connect();

    // In flight when the gateway goes away: rejected, never replayed.
    const pending = client.call("health", { delayMs: 5_000, echo: "pending" }, { timeoutMs: 15_000 }).catch((caught: unknown) => caught);
    await waitFor(() => first.calls.length === 1, 5_000, "pending request to reach the gateway");
    await first.stop();
    const pendingError = await pending;
    expect(pendingError).toBeInstanceOf(ConnectionClosedError);
    expect(pendingError).toMatchObject({ requestSent: true, code: 1012 });

    await waitFor(() => client.state === "reconnecting" || client.state === "connecting", 5_000, "reconnecting");
    // Made while the gateway is down: waits in the unsent queue.
    const queued = client.call<{ echo: unknown }>("health", { echo: "queued" }, { timeoutMs: 15_000 });
    await waitFor(() => failures.length >= 1, 5_000, "a refused reconnect attempt");
    expect(failures[0]?.error).toMatchObject({ code: "ECONNREFUSED" });
    expect(failures[0]?.retryInMs).toBeTypeOf("number");

    const second = await startGateway({ port: first.port });
    expect(await queued).toMatchObject({ echo: "queued" });
    expect(client.state).toBe("open");
    expect(second.calls.map((c) => (c.params as { echo?: string }).echo)).toEqual(["queued"]);
    expect(states.filter((s) => s === "open")).toHaveLength(2);
    expect(states).toContain("reconnecting");
  });

  it("a request still queued at its deadline times out with requestSent: false", async () => {
    const gateway = await startGateway();
    const client = make({ url: gateway.url, reconnect: { initialMs: 20, maxMs: 50 } });
    await client.connect();
    await gateway.stop();
    await waitFor(() => client.state !== "open", 5_000, "link loss");
    const error = await client.call("health", {}, { timeoutMs: 150 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ requestSent: false, timeoutMs: 150, method: "health" });
  });

  it("a request that was sent and got no answer times out with requestSent: true", async () => {
    const gateway = await startGateway();
    const client = make({ url: gateway.url });
    await client.connect();
    const error = await client.call("health", { delayMs: 3_000 }, { timeoutMs: 100 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ requestSent: true, timeoutMs: 100 });
  });

  it("tick watchdog: a stalled gateway is closed 4000 'tick timeout', then the client reconnects", async () => {
    const gateway = await startGateway({ tickIntervalMs: 40 });
    const disconnects: { code: number; reason: string }[] = [];
    gateway.server.onDisconnect(({ code, reason }) => disconnects.push({ code, reason }));
    const client = make({ url: gateway.url, reconnect: { initialMs: 20, maxMs: 50 } });
    const ticks: number[] = [];
    client.events.on("tick", (event) => ticks.push(event.seq ?? -1));
    await client.connect();
    await waitFor(() => ticks.length >= 2, 5_000, "ticks");
    gateway.server.setTicksEnabled(false);
    await waitFor(() => disconnects.length >= 1, 5_000, "tick timeout close");
    expect(disconnects[0]).toEqual({ code: 4000, reason: "tick timeout" });
    gateway.server.setTicksEnabled(true);
    await waitFor(() => gateway.connects.length >= 2 && client.state === "open", 5_000, "reconnect");
  });

  it("tick watchdog stays out of the way while finite-deadline requests are pending, and guards unbounded ones", async () => {
    const gateway = await startGateway({ tickIntervalMs: 40 });
    const client = make({ url: gateway.url, methods: ["health", "agent"] });
    await client.connect();
    gateway.server.setTicksEnabled(false);
    // 400 ms of silence (> 2 × 40 ms) while a bounded request is pending: no tick timeout.
    expect(await client.call("health", { delayMs: 400 }, { timeoutMs: 5_000 })).toMatchObject({ ok: true });
    // An unbounded request (expectFinal, no timeout) on a silent link: the watchdog closes it.
    const error = await client
      .call("agent", { idempotencyKey: "k1", delayMs: 5_000 }, { expectFinal: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ code: 4000, reason: "tick timeout", requestSent: true });
  });

  it("without reconnect a lost link returns the client to idle; the next call connects again", async () => {
    const first = await startGateway();
    const client = make({ url: first.url });
    await client.connect();
    await first.stop();
    await waitFor(() => client.state === "idle", 5_000, "idle");
    const second = await startGateway({ port: first.port });
    expect(await client.call("health", { echo: 2 })).toMatchObject({ echo: 2 });
    expect(second.connects).toHaveLength(1);
  });

  it("close(): rejects queued and pending requests, ends in 'closed' and refuses later calls", async () => {
    const gateway = await startGateway();
    const client = make({ url: gateway.url });
    await client.connect();
    const pending = client.call("health", { delayMs: 5_000 }, { timeoutMs: 10_000 }).catch((caught: unknown) => caught);
    await waitFor(() => gateway.calls.length === 1, 5_000, "pending request");
    await client.close();
    expect(client.state).toBe("closed");
    expect(await pending).toMatchObject({ code: 1000, reason: "client closed", requestSent: true });
    await expect(client.call("health")).rejects.toMatchObject({ requestSent: false, reason: "client closed" });
    await expect(client.connect()).rejects.toBeInstanceOf(ConnectionClosedError);
    await client.close();
  });

  it("close() while connecting rejects the queued requests with requestSent: false", async () => {
    const gateway = await startGateway();
    const client = make({ url: gateway.url, reconnect: true });
    const queued = client.call("health").catch((caught: unknown) => caught);
    const connecting = client.connect().catch((caught: unknown) => caught);
    void client.close();
    expect(await queued).toMatchObject({ requestSent: false });
    expect(await connecting).toBeInstanceOf(ConnectionClosedError);
    expect(client.state).toBe("closed");
  });
});

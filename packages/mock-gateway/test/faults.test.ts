import { afterEach, describe, expect, it } from "vitest";
import { ConnectionClosedError, RequestTimeoutError } from "@clawbridge/rpc-core";
import { MockGateway, MockNode } from "../src/index.js";
import { connectOperator, waitFor } from "./helpers.js";
import type { OperatorClient } from "./helpers.js";

const TOKEN = "mock-token";
let gateway: MockGateway | undefined;
const clients: OperatorClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await gateway?.stop({ graceMs: 200 });
  gateway = undefined;
});

async function setup(tickIntervalMs?: number): Promise<OperatorClient> {
  gateway = new MockGateway({ auth: { token: TOKEN }, ...(tickIntervalMs === undefined ? {} : { tickIntervalMs }) });
  await gateway.start();
  const client = await connectOperator(gateway.url, { token: TOKEN, scopes: ["operator.admin"] });
  clients.push(client);
  return client;
}

function closeInfo(client: OperatorClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.peer.onClose((info) => resolve({ code: info.code, reason: info.reason })));
}

describe("fault injection", () => {
  it("delay: a delayed answer arrives after a later, undelayed one", async () => {
    const client = await setup();
    gateway!.faults.set("status", { delayMs: 150 });
    const order: string[] = [];
    await Promise.all([
      client.peer.request("status").then(() => order.push("status")),
      client.peer.request("health").then(() => order.push("health")),
    ]);
    expect(order).toEqual(["health", "status"]);
  });

  it("error: answers the injected error shape, `times` limits it", async () => {
    const client = await setup();
    gateway!.faults.set("health", { error: { code: "UNAVAILABLE", message: "injected", retryable: true, retryAfterMs: 5 }, times: 1 });
    await expect(client.peer.request("health")).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: "injected",
      retryable: true,
      retryAfterMs: 5,
    });
    expect(await client.peer.request("health")).toMatchObject({ ok: true });
  });

  it("drop: the request never gets an answer, others do", async () => {
    const client = await setup();
    gateway!.faults.set("status", { drop: true });
    await expect(client.peer.request("status", undefined, { timeoutMs: 150 })).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(await client.peer.request("health")).toMatchObject({ ok: true });
    gateway!.faults.clear("status");
    expect(await client.peer.request("status")).toHaveProperty("runtimeVersion");
  });

  it("close: closes the caller's socket with the given code", async () => {
    const client = await setup();
    gateway!.faults.set("status", { close: { code: 4001, reason: "gateway auth changed" } });
    const closed = closeInfo(client);
    const error = await client.peer.request("status").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(await closed).toEqual({ code: 4001, reason: "gateway auth changed" });
  });

  it("stall: no ticks and no answers until cleared", async () => {
    const client = await setup(30);
    await waitFor(() => client.events.some((e) => e.event === "tick"));
    gateway!.faults.stall();
    const ticksBefore = client.events.filter((e) => e.event === "tick").length;
    await expect(client.peer.request("health", undefined, { timeoutMs: 200 })).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(client.events.filter((e) => e.event === "tick").length).toBeLessThanOrEqual(ticksBefore + 1);
    gateway!.faults.stall(false);
    expect(await client.peer.request("health")).toMatchObject({ ok: true });
    await waitFor(() => client.events.filter((e) => e.event === "tick").length > ticksBefore + 1);
  });

  it("slow consumer: the socket is closed 1008 'slow consumer'", async () => {
    const client = await setup();
    const other = await connectOperator(gateway!.url, { token: TOKEN, scopes: ["operator.read"] });
    clients.push(other);
    const closed = closeInfo(client);
    expect(gateway!.simulateSlowConsumer((connection) => connection.scopes.includes("operator.admin"))).toBe(1);
    expect(await closed).toEqual({ code: 1008, reason: "slow consumer" });
    expect(await other.peer.request("health")).toMatchObject({ ok: true });
  });

  it("announces node pairing requests to pairing-scoped operators", async () => {
    const client = await setup();
    const node = new MockNode({ url: gateway!.url, token: TOKEN, commands: ["system.run"] });
    await node.start();
    try {
      await waitFor(() => client.events.some((e) => e.event === "node.pair.requested"));
      const event = client.events.find((e) => e.event === "node.pair.requested");
      expect(event?.payload).toMatchObject({ nodeId: node.nodeId, commands: ["system.run"] });
      expect(typeof event?.seq).toBe("number");
    } finally {
      await node.stop();
    }
  });
});

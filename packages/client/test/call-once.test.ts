import { Agent } from "node:http";
import type { Socket } from "node:net";
import { Methods } from "@clawbridge/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CallTimeoutError, GatewayClient, PayloadTooLargeError, ScopeCeilingError } from "../src/index.js";
import { startScriptedGateway } from "./helpers/scripted-gateway.js";
import type { ScriptedGateway } from "./helpers/scripted-gateway.js";
import { startTestGateway, TEST_TOKEN } from "./helpers/test-gateway.js";
import type { TestGateway } from "./helpers/test-gateway.js";
import { tempConfigDir, waitFor } from "./helpers/temp-config.js";

describe("one-shot calls (CLI mode) and request options", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gateway: TestGateway | undefined;
  let scripted: ScriptedGateway | undefined;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempConfigDir());
  });
  afterEach(async () => {
    await gateway?.stop();
    await scripted?.stop();
    gateway = undefined;
    scripted = undefined;
    await cleanup();
  });

  it("connects as cli/cli with least-privilege scopes, returns the payload and closes the socket", async () => {
    gateway = await startTestGateway();
    const result = await GatewayClient.callOnce({ url: gateway.url, token: TEST_TOKEN, configDir: dir }, Methods.NodeList, {});
    expect(result).toMatchObject({ nodes: [] });
    expect(gateway.connects[0]).toMatchObject({ client: { id: "cli", mode: "cli" }, scopes: ["operator.read"] });
    const gw = gateway;
    await waitFor(() => gw.server.connections.size === 0, 5_000, "socket closed after the call");
  });

  it("requests dynamic least-privilege scopes from the params", async () => {
    gateway = await startTestGateway();
    await GatewayClient.callOnce({ url: gateway.url, token: TEST_TOKEN, configDir: dir }, "agent", { idempotencyKey: "a1" });
    expect(gateway.connects[0]?.scopes).toEqual(["operator.write"]);
  });

  it("budget runs out while connecting: CallTimeoutError, phase connect, requestSent false", async () => {
    scripted = await startScriptedGateway(() => undefined);
    const error = await GatewayClient.callOnce({ url: scripted.url, token: TEST_TOKEN, configDir: dir }, "health", {}, { timeoutMs: 150 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect(error).toMatchObject({ phase: "connect", requestSent: false, timeoutMs: 150, method: "health" });
    expect((error as Error).message).toMatch(/gateway timeout after 150ms while connecting \(request was not sent\)/);
  });

  it("budget runs out after the request was sent: phase request, requestSent true", async () => {
    gateway = await startTestGateway();
    const error = await GatewayClient.callOnce(
      { url: gateway.url, token: TEST_TOKEN, configDir: dir },
      "health",
      { delayMs: 3_000 },
      { timeoutMs: 300 },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect(error).toMatchObject({ phase: "request", requestSent: true, timeoutMs: 300 });
    expect((error as Error).message).toMatch(/request was sent; the outcome is unknown/);
  });

  it("expectFinal waits past 'accepted' (onAccepted fires once); without it the ack resolves", async () => {
    gateway = await startTestGateway();
    const accepted: unknown[] = [];
    const final = await GatewayClient.callOnce(
      { url: gateway.url, token: TEST_TOKEN, configDir: dir },
      "agent",
      { idempotencyKey: "run-7", delayMs: 30 },
      { expectFinal: true, onAccepted: (payload) => accepted.push(payload) },
    );
    expect(final).toMatchObject({ runId: "run-7", status: "ok", summary: "completed" });
    expect(accepted).toEqual([expect.objectContaining({ runId: "run-7", status: "accepted" })]);
    const ack = await GatewayClient.callOnce({ url: gateway.url, token: TEST_TOKEN, configDir: dir }, "agent", { idempotencyKey: "run-8" });
    expect(ack).toMatchObject({ runId: "run-8", status: "accepted" });
  });

  it("scope ceiling: refuses locally, before any socket is opened", async () => {
    gateway = await startTestGateway();
    const error = await GatewayClient.callOnce(
      { url: gateway.url, token: TEST_TOKEN, configDir: dir, scopeCeiling: ["operator.read"] },
      "config.get",
      {},
    ).catch((caught: unknown) => caught);
    // config.get needs operator.read: within the ceiling, so it reaches the gateway (which does not serve it).
    expect(error).toMatchObject({ name: "GatewayRequestError", message: "unknown method: config.get" });
    const refused = await GatewayClient.callOnce(
      { url: gateway.url, token: TEST_TOKEN, configDir: dir, scopeCeiling: ["operator.read"] },
      "node.invoke",
      { nodeId: "n", command: "system.run", idempotencyKey: "k" },
    ).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(ScopeCeilingError);
    expect(refused).toMatchObject({ excess: ["operator.write"], method: "node.invoke" });
    // A long-lived client with a ceiling refuses at connect, also before opening a socket.
    const client = new GatewayClient({ url: gateway.url, token: TEST_TOKEN, configDir: dir, scopes: ["operator.admin"], scopeCeiling: ["operator.write"] });
    await expect(client.connect()).rejects.toBeInstanceOf(ScopeCeilingError);
    await client.close();
    expect(gateway.connects.map((c) => c.scopes)).toEqual([["operator.read"]]);
  });

  it("maxPayload from hello-ok.policy is checked before sending: local error, nothing sent", async () => {
    gateway = await startTestGateway({ maxPayloadBytes: 4_096 });
    const client = new GatewayClient({ url: gateway.url, token: TEST_TOKEN, configDir: dir });
    try {
      await client.connect();
      expect(client.policy?.maxPayload).toBe(4_096);
      const error = await client.call("health", { echo: "x".repeat(5_000) }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect(error).toMatchObject({ requestSent: false, maxPayload: 4_096, method: "health" });
      expect(gateway.calls).toEqual([]);
      const cyclic: Record<string, unknown> = {};
      cyclic["self"] = cyclic;
      await expect(client.call("health", cyclic)).rejects.toBeInstanceOf(TypeError);
      // The connection is still usable.
      expect(await client.call("health", { echo: "small" })).toMatchObject({ echo: "small" });
    } finally {
      await client.close();
    }
  });

  it("passes a proxy agent through to the WebSocket upgrade", async () => {
    gateway = await startTestGateway();
    let connections = 0;
    class CountingAgent extends Agent {
      override createConnection(...args: Parameters<Agent["createConnection"]>): Socket {
        connections += 1;
        return super.createConnection(...args) as Socket;
      }
    }
    const agent = new CountingAgent();
    await GatewayClient.callOnce({ url: gateway.url, token: TEST_TOKEN, configDir: dir, agent }, "health");
    expect(connections).toBe(1);
    agent.destroy();
  });

  it("honours an abort signal", async () => {
    gateway = await startTestGateway();
    const controller = new AbortController();
    const pending = GatewayClient.callOnce(
      { url: gateway.url, token: TEST_TOKEN, configDir: dir },
      "health",
      { delayMs: 5_000 },
      { signal: controller.signal, timeoutMs: 10_000 },
    ).catch((caught: unknown) => caught);
    const gw = gateway;
    await waitFor(() => gw.calls.length === 1, 5_000, "request sent");
    controller.abort();
    expect(await pending).toMatchObject({ name: "RequestAbortedError", requestSent: true });
  });
});

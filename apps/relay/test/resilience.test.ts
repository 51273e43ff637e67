import { join } from "node:path";
import type { GatewayClient } from "@clawbridge/client";
import { MockGateway } from "@clawbridge/mock-gateway";
import { isGatewayRequestError } from "@clawbridge/rpc-core";
import type { GatewayRequestError } from "@clawbridge/rpc-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashToken, newToken, relayClient, relayYaml, startRelay, startUpstream, tempDir, waitFor, writeSecret } from "./helpers/harness.js";
import type { TestRelay } from "./helpers/harness.js";
import { startTcpBalancer } from "./helpers/tcp-balancer.js";

const UPSTREAM_TOKEN = newToken();
const CLIENT_TOKEN = newToken();

function gatewayErrorOf(value: unknown): GatewayRequestError {
  if (!isGatewayRequestError(value)) throw new Error(`expected a gateway error, got ${String(value)}`);
  return value;
}

describe("resilience and scale-out", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const stops: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeSecret(join(dir, "gw2.token"), UPSTREAM_TOKEN);
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await cleanup();
  });

  function yaml(url: string): string {
    return relayYaml({
      stateDir: join(dir, "state"),
      upstreams: { gw2: { url, tokenFile: join(dir, "gw2.token") } },
      clients: `  wn1:\n    tokenSha256: ${hashToken(CLIENT_TOKEN)}\n    upstreams: [gw2]\n    allow: [health, "node.list"]\n`,
    });
  }

  function track<T extends { close(): Promise<unknown> } | { stop(): Promise<unknown> }>(value: T): T {
    stops.push(() => ("close" in value ? value.close() : value.stop()));
    return value;
  }

  it("fails in-flight requests cleanly when the upstream restarts, keeps clients connected, and recovers", async () => {
    const pairingFile = join(dir, "gw2-pairing.json");
    let gateway = await startUpstream(UPSTREAM_TOKEN, { pairingFile });
    const port = gateway.port;
    const relay: TestRelay = track(await startRelay(dir, yaml(gateway.url)));
    const client: GatewayClient = track(relayClient(relay.url("/gw/gw2"), CLIENT_TOKEN, dir));
    await client.connect();
    const transitions: string[] = [];
    client.onStateChange((state) => transitions.push(state));

    gateway.faults.set("node.list", { drop: true, times: 1 });
    const inFlight = client.call("node.list", {}).catch((error: unknown) => error);
    await waitFor(() => relay.relay.inFlight === 1, 5_000, "request in flight");
    await gateway.stop({ reason: "restart", restartExpectedMs: 500 });

    const lost = gatewayErrorOf(await inFlight);
    expect(lost.code).toBe("UNAVAILABLE");
    expect(lost.retryable).toBe(true);
    expect(lost.details).toMatchObject({ code: "RELAY_UPSTREAM_UNAVAILABLE", upstream: "gw2", requestSent: true });

    const whileDown = gatewayErrorOf(await client.call("health", {}).catch((error: unknown) => error));
    expect(whileDown.code).toBe("UNAVAILABLE");
    expect(whileDown.retryable).toBe(true);
    expect(whileDown.retryAfterMs).toBeGreaterThan(0);
    expect(whileDown.details).toMatchObject({ code: "RELAY_UPSTREAM_UNAVAILABLE", requestSent: false });
    const readyz = await fetch(`${relay.relay.adminUrl}/readyz`);
    expect(readyz.status).toBe(503);

    gateway = track(new MockGateway({ auth: { token: UPSTREAM_TOKEN }, port, pairingFile }));
    await gateway.start();
    await waitFor(() => relay.relay.pool.ready, 10_000, "relay reconnected upstream");
    await expect(client.call("node.list", {})).resolves.toMatchObject({ nodes: [] });
    expect((await fetch(`${relay.relay.adminUrl}/readyz`)).status).toBe(200);
    // The client's own connection to the relay never dropped.
    expect(transitions).toEqual([]);
    expect(client.state).toBe("open");
    const metrics = await (await fetch(`${relay.relay.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/clawbridge_relay_upstream_disconnects_total\{upstream="gw2"\} [1-9]/);
    expect(metrics).toMatch(/clawbridge_relay_requests_total\{upstream="gw2",method="node.list",outcome="unavailable"\} 1/);
  });

  it("serves one upstream from two stateless replicas behind a TCP load balancer", async () => {
    const gateway = track(await startUpstream(UPSTREAM_TOKEN));
    const a: TestRelay = track(await startRelay(dir, yaml(gateway.url), { file: "a.yaml" }));
    const b: TestRelay = track(await startRelay(dir, yaml(gateway.url), { file: "b.yaml" }));
    // Both replicas are the same paired device (shared state dir), each with its own upstream connection.
    const upstreamDevices = [...gateway.server.connections].map((connection) => connection.deviceId);
    expect(upstreamDevices).toHaveLength(2);
    expect(new Set(upstreamDevices).size).toBe(1);

    const balancer = track(await startTcpBalancer(() => [a.relay.port, b.relay.port]));
    const clients = Array.from({ length: 4 }, () =>
      track(relayClient(`ws://127.0.0.1:${balancer.port}/gw/gw2`, CLIENT_TOKEN, dir, { reconnect: { initialMs: 50, maxMs: 200 } })),
    );
    for (const client of clients) await client.connect();
    await Promise.all(clients.map((client) => expect(client.call("node.list", {})).resolves.toMatchObject({ nodes: [] })));
    expect(a.relay.server.connections.size).toBe(2);
    expect(b.relay.server.connections.size).toBe(2);

    // Replica A goes away (drain): its clients reconnect through the balancer, which has no health
    // checks and simply skips the refused backend, and land on B.
    await a.relay.drain(1_000);
    await waitFor(() => b.relay.server.connections.size === 4, 10_000, "clients moved to replica B");
    await Promise.all(clients.map((client) => expect(client.call("node.list", {})).resolves.toMatchObject({ nodes: [] })));
  });
});

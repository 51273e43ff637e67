import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "@clawbridge/client";
import { MockNode } from "@clawbridge/mock-gateway";
import type { MockGateway } from "@clawbridge/mock-gateway";
import { assertBuilt, cleanEnv, json, runClawbridge, SKILL_BIN_DIR, tempDir, writeRemotes } from "./helpers/bins.js";
import { startGateway } from "./helpers/gateways.js";

const GW1_TOKEN = "gw1-seed-token-0c3e55";
const GW2_TOKEN = "gw2-seed-token-b81f2d";

let gw1: MockGateway;
let gw2: MockGateway;
let wn1: MockNode;
let wn2: MockNode;
let operator: GatewayClient;
let dir: string;
let cleanup: () => Promise<void>;
let entry: { pattern: string; argPattern: string };

/** What the agent on GW1 sends: the exact `node.invoke` params the real gateway needs (README). */
function systemRun(argv: readonly string[]): Record<string, unknown> {
  return {
    nodeId: wn1.nodeId,
    command: "system.run",
    params: { command: [...argv], timeoutMs: 60_000, agentId: "main", suppressNotifyOnExit: true },
    timeoutMs: 75_000,
    idempotencyKey: randomUUID(),
  };
}

beforeAll(async () => {
  assertBuilt();
  ({ dir, cleanup } = await tempDir());
  // Cluster 2: GW2 with its worker node WN2 (command surface approved).
  gw2 = await startGateway(GW2_TOKEN);
  wn2 = new MockNode({ url: gw2.url, token: GW2_TOKEN, displayName: "WN2", platform: "linux", deviceFamily: "Linux" });
  await wn2.start();
  gw2.approveNodePairing(wn2.nodeId);

  // WN1's configuration: the gw2 profile (token from WN1's env), then `clawbridge skill install`.
  await writeRemotes(dir, { gw2: { url: gw2.url, auth: { tokenEnv: "GW2_TOKEN" } } });
  const wn1Env = cleanEnv(dir, { GW2_TOKEN, OPENCLAW_GATEWAY_TOKEN: GW1_TOKEN });
  const install = await runClawbridge(["skill", "install", "--remote", "gw2", "--dir", `${dir}/skills`, "--json"], {
    env: { ...wn1Env, PATH: `${SKILL_BIN_DIR}:${wn1Env["PATH"] ?? ""}` },
    cwd: dir,
  });
  expect(install.code, install.stderr).toBe(0);
  entry = json<{ allowlistEntry: typeof entry }>(install).allowlistEntry;

  // Cluster 1: GW1 and WN1, whose system.run allowlist is exactly the printed entry. WN1's own
  // environment also holds GW1's token (OPENCLAW_GATEWAY_TOKEN), which must never reach GW2.
  gw1 = await startGateway(GW1_TOKEN);
  wn1 = new MockNode({
    url: gw1.url,
    token: GW1_TOKEN,
    displayName: "WN1",
    platform: "linux",
    deviceFamily: "Linux",
    security: "allowlist",
    execAllowlist: [entry],
    env: wn1Env,
  });
  await wn1.start();
  gw1.approveNodePairing(wn1.nodeId);
  operator = new GatewayClient({ url: gw1.url, token: GW1_TOKEN, methods: ["node.invoke"] });
  await operator.connect();
});

afterAll(async () => {
  await operator?.close();
  await wn1?.stop();
  await wn2?.stop();
  await gw1?.stop({ graceMs: 100 });
  await gw2?.stop({ graceMs: 100 });
  await cleanup?.();
});

describe("seed flow: agent on GW1 → WN1 system.run → remote-gateway → GW2", () => {
  it("`remote-gateway list_nodes gw2` returns GW2's nodes in payload.stdout", async () => {
    const result = await operator.call<{ ok: boolean; payload: { exitCode: number; stdout: string; stderr: string } }>(
      "node.invoke",
      systemRun([entry.pattern, "list_nodes", "gw2"]),
      { timeoutMs: 75_000 },
    );
    expect(result.ok).toBe(true);
    expect(result.payload.exitCode, result.payload.stderr).toBe(0);
    const nodes = (JSON.parse(result.payload.stdout) as { nodes: Array<{ nodeId: string; displayName: string; connected: boolean }> }).nodes;
    expect(nodes).toEqual([expect.objectContaining({ nodeId: wn2.nodeId, displayName: "WN2", connected: true })]);
    // GW1's secret (in WN1's environment) was not what authenticated at GW2, and no secret crossed GW1.
    expect(JSON.stringify(wn1.invocations)).not.toContain(GW2_TOKEN);
    expect(JSON.stringify(wn1.invocations)).not.toContain(GW1_TOKEN);
  });

  it("the allowlist entry admits nothing else: other verbs, remotes or binaries are SYSTEM_RUN_DENIED", async () => {
    const denied = [
      [entry.pattern, "list_nodes", "gw3"],
      [entry.pattern, "invoke", "gw2", wn2.nodeId, "system.run"],
      [entry.pattern, "call", "gw2", "config.get"],
      [entry.pattern, "list_nodes", "gw2", "--params", "{}"],
      [process.execPath, entry.pattern, "list_nodes", "gw2"],
    ];
    for (const argv of denied) {
      // OpenClaw relays the node's denial as UNAVAILABLE with the node's code leading the message.
      await expect(operator.call("node.invoke", systemRun(argv), { timeoutMs: 75_000 }), argv.join(" ")).rejects.toMatchObject({
        code: "UNAVAILABLE",
        details: { nodeError: { code: "SYSTEM_RUN_DENIED", message: "SYSTEM_RUN_DENIED: allowlist miss" } },
      });
    }
  });

  it("`remotes` through the same path prints the ids and verbs WN1 knows, never a URL", async () => {
    const result = await operator.call<{ payload: { exitCode: number; stdout: string } }>("node.invoke", systemRun([entry.pattern, "remotes"]), {
      timeoutMs: 75_000,
    });
    expect(result.payload.exitCode).toBe(0);
    expect(JSON.parse(result.payload.stdout)).toMatchObject({ remotes: [{ id: "gw2", verbs: expect.arrayContaining(["list_nodes"]) }] });
    expect(result.payload.stdout).not.toContain(gw2.url);
  });
});

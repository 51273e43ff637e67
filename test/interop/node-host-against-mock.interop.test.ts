import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRealGateway } from "./harness/gateway.ts";
import type { RealGateway } from "./harness/gateway.ts";
import { callGateway, callSystemRun } from "./harness/gateway-rpc.ts";
import type { GatewayCallResult } from "./harness/gateway-rpc.ts";
import { startMockTarget } from "./harness/mock-target.ts";
import type { MockTarget } from "./harness/mock-target.ts";
import { approveNodeHost, listPendingNodes, setNodeExecApprovals, startRealNodeHost } from "./harness/node-host.ts";
import type { RealNodeHost } from "./harness/node-host.ts";
import { isObject } from "./harness/raw-client.ts";

/**
 * Acceptance point 3 of issue #3: a real `openclaw node run` host connects to MockGateway
 * with its Ed25519 device identity, is paired (silently on loopback, then its command
 * surface approved with the real `openclaw nodes approve` run against the mock), and serves
 * a `system.run` issued through the mock under an exec allowlist on the node. Every step is
 * done side by side on a real gateway with its own node host, and the answers are compared.
 */

const TOKEN = `interop-token-${randomUUID()}`;
/** Exec approvals on both node hosts: allowlist mode, only `/usr/bin/echo`. */
const EXEC_APPROVALS = {
  version: 1,
  defaults: { security: "allowlist", ask: "off", askFallback: "deny", autoAllowSkills: false },
  agents: { "*": { allowlist: [{ pattern: "/usr/bin/echo" }] } },
};

let real: RealGateway;
let mock: MockTarget;
let nodeOnReal: RealNodeHost;
let nodeOnMock: RealNodeHost;

beforeAll(async () => {
  [real, mock] = await Promise.all([startRealGateway({ auth: { token: TOKEN } }), startMockTarget({ auth: { token: TOKEN } })]);
  [nodeOnReal, nodeOnMock] = await Promise.all([
    startRealNodeHost({ gateway: real, displayName: "WN-real" }),
    startRealNodeHost({ gateway: mock, displayName: "WN-mock" }),
  ]);
  process.stderr.write(
    `[interop] real gateway ready in ${real.startMs} ms; node hosts connected in ${nodeOnReal.startMs} ms (real) / ${nodeOnMock.startMs} ms (mock)\n`,
  );
});

afterAll(async () => {
  await Promise.all([nodeOnReal?.stop(), nodeOnMock?.stop()]);
  await Promise.all([real?.stop(), mock?.stop()]);
});

/** `node.invoke system.run` with the params an agent turn would send. */
function systemRun(gateway: RealGateway, node: RealNodeHost, argv: string[]): Promise<GatewayCallResult> {
  return callSystemRun(gateway, node.nodeId, argv, 20_000);
}

async function nodeEntry(gateway: RealGateway, node: RealNodeHost): Promise<Record<string, unknown>> {
  const listed = await callGateway(gateway.url, { auth: gateway.auth, method: "node.list" });
  const nodes = isObject(listed.payload) && Array.isArray(listed.payload["nodes"]) ? listed.payload["nodes"] : [];
  const entry = nodes.filter(isObject).find((candidate) => candidate["nodeId"] === node.nodeId);
  expect(entry, `node ${node.displayName} in node.list`).toBeDefined();
  return entry ?? {};
}

/** The fields that describe a node's pairing state, which must agree between the two gateways. */
function pairingView(entry: Record<string, unknown>): Record<string, unknown> {
  return {
    clientId: entry["clientId"],
    clientMode: entry["clientMode"],
    platform: entry["platform"],
    deviceFamily: entry["deviceFamily"],
    version: entry["version"],
    caps: entry["caps"],
    commands: entry["commands"],
    paired: entry["paired"],
    connected: entry["connected"],
    approvalState: entry["approvalState"],
    hasPendingRequest: typeof entry["pendingRequestId"] === "string",
  };
}

describe("a real openclaw node host against MockGateway (side by side with a real gateway)", () => {
  it("connects with its device identity: paired silently on loopback, command surface awaiting approval", async () => {
    const [onReal, onMock] = await Promise.all([nodeEntry(real, nodeOnReal), nodeEntry(mock, nodeOnMock)]);
    expect(onMock["nodeId"]).toMatch(/^[0-9a-f]{64}$/);
    expect(pairingView(onMock)).toEqual(pairingView(onReal));
    expect(pairingView(onMock)).toMatchObject({ clientId: "node-host", paired: true, connected: true, approvalState: "pending-approval", commands: [] });
    // node.list entries key for key (pendingDeclaredCaps/Commands included), and the declared surface awaiting approval.
    expect(Object.keys(onMock).sort()).toEqual(Object.keys(onReal).sort());
    expect(onMock["pendingDeclaredCommands"]).toEqual(onReal["pendingDeclaredCommands"]);
    expect(onMock["pendingDeclaredCaps"]).toEqual(onReal["pendingDeclaredCaps"]);
    expect(mock.mock.pairing.getPaired(nodeOnMock.nodeId)?.roles).toEqual(["node"]);
    // What `openclaw nodes pending --json` shows is the same on both.
    const [pendingReal, pendingMock] = await Promise.all([listPendingNodes(real), listPendingNodes(mock)]);
    const mine = (list: typeof pendingReal, node: RealNodeHost) => list.find((entry) => entry.nodeId === node.nodeId);
    expect(mine(pendingMock, nodeOnMock)?.requiredApproveScopes).toEqual(mine(pendingReal, nodeOnReal)?.requiredApproveScopes);
    expect([...(mine(pendingMock, nodeOnMock)?.commands ?? [])].sort()).toEqual([...(mine(pendingReal, nodeOnReal)?.commands ?? [])].sort());
  });

  it("node.invoke before the surface is approved: the same retryable PAIRING_CHANGED on both", async () => {
    const [onReal, onMock] = await Promise.all([systemRun(real, nodeOnReal, ["/usr/bin/echo", "hi"]), systemRun(mock, nodeOnMock, ["/usr/bin/echo", "hi"])]);
    expect(onReal.error).toMatchObject({ code: "UNAVAILABLE", details: { code: "PAIRING_CHANGED" }, retryable: true });
    expect(onMock.error).toEqual(onReal.error);
  });

  it("`openclaw nodes approve` run against the mock approves the surface; system.run becomes invocable", async () => {
    const [approvedReal, approvedMock] = await Promise.all([approveNodeHost(real, nodeOnReal), approveNodeHost(mock, nodeOnMock)]);
    expect(approvedMock.requiredApproveScopes).toEqual(approvedReal.requiredApproveScopes);
    const [onReal, onMock] = await Promise.all([nodeEntry(real, nodeOnReal), nodeEntry(mock, nodeOnMock)]);
    expect(onMock["approvalState"]).toBe("approved");
    expect(Object.keys(onMock).sort()).toEqual(Object.keys(onReal).sort());
    expect(onMock["caps"]).toEqual(onReal["caps"]);
    expect(onMock["commands"]).toEqual(expect.arrayContaining(["system.run"]));
    expect([...(onMock["commands"] as string[])].sort()).toEqual([...(onReal["commands"] as string[])].sort());
  });

  it(
    "serves system.run of an allowlisted /usr/bin/echo issued through the mock, and denies the rest exactly as via the real gateway",
    async () => {
      // Both node hosts get the same exec approvals (allowlist mode), through their own local CLI.
      await Promise.all([setNodeExecApprovals(nodeOnReal, EXEC_APPROVALS), setNodeExecApprovals(nodeOnMock, EXEC_APPROVALS)]);

      const [allowedReal, allowedMock] = await Promise.all([
        systemRun(real, nodeOnReal, ["/usr/bin/echo", "hi"]),
        systemRun(mock, nodeOnMock, ["/usr/bin/echo", "hi"]),
      ]);
      expect(allowedMock.ok, JSON.stringify(allowedMock.response)).toBe(true);
      const payloadOf = (result: GatewayCallResult): Record<string, unknown> => result.payload as Record<string, unknown>;
      expect(payloadOf(allowedMock)).toMatchObject({ ok: true, nodeId: nodeOnMock.nodeId, command: "system.run" });
      expect(payloadOf(allowedMock)["payload"]).toMatchObject({ exitCode: 0, timedOut: false, success: true, stdout: "hi\n", stderr: "" });
      // Same envelope and the same node result through both gateways.
      expect(Object.keys(payloadOf(allowedMock)).sort()).toEqual(Object.keys(payloadOf(allowedReal)).sort());
      expect(payloadOf(allowedMock)["payload"]).toEqual(payloadOf(allowedReal)["payload"]);
      expect(JSON.parse(String(payloadOf(allowedMock)["payloadJSON"]))).toEqual(payloadOf(allowedMock)["payload"]);

      const [deniedReal, deniedMock] = await Promise.all([
        systemRun(real, nodeOnReal, ["/usr/bin/uname", "-a"]),
        systemRun(mock, nodeOnMock, ["/usr/bin/uname", "-a"]),
      ]);
      expect(deniedReal.error).toEqual({
        code: "UNAVAILABLE",
        message: "SYSTEM_RUN_DENIED: SYSTEM_RUN_DENIED: allowlist miss",
        details: { nodeError: { code: "SYSTEM_RUN_DENIED", message: "SYSTEM_RUN_DENIED: allowlist miss" }, nodeCommandDispatched: true },
      });
      expect(deniedMock.error).toEqual(deniedReal.error);
    },
    240_000,
  );
});

import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRealGateway } from "./harness/gateway.ts";
import type { RealGateway } from "./harness/gateway.ts";
import { callGateway, callSystemRun } from "./harness/gateway-rpc.ts";
import { approveNodeHost, listPendingNodes, setNodeExecApprovals, startRealNodeHost } from "./harness/node-host.ts";
import type { RealNodeHost } from "./harness/node-host.ts";
import { runOpenClaw } from "./harness/openclaw-cli.ts";

const TOKEN = `interop-token-${randomUUID()}`;
const DISPLAY_NAME = "WN-interop";
let gateway: RealGateway;
let node: RealNodeHost;

beforeAll(async () => {
  gateway = await startRealGateway({ auth: { token: TOKEN } });
  node = await startRealNodeHost({ gateway, displayName: DISPLAY_NAME });
  process.stderr.write(`[interop] gateway ready in ${gateway.startMs} ms, node host connected in ${node.startMs} ms\n`);
});

afterAll(async () => {
  await node?.stop();
  await gateway?.stop();
});

function systemRun(argv: string[]): ReturnType<typeof callSystemRun> {
  return callSystemRun(gateway, node.nodeId, argv, 20_000);
}

/** Pids of live processes whose command line contains `needle` (read from /proc). */
function processesWithArgv(needle: string): number[] {
  const hits: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) hits.push(Number(entry));
    } catch {
      // exited while scanning
    }
  }
  return hits;
}

describe("real OpenClaw node host", () => {
  it("no spawned process (gateway, node host, CLI) carries the gateway token on its command line", async () => {
    expect(processesWithArgv(TOKEN)).toEqual([]);
    const running = runOpenClaw(["nodes", "pending", "--json"], { gateway });
    const seen: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      seen.push(...processesWithArgv(TOKEN));
    }
    expect((await running).code).toBe(0);
    expect(seen).toEqual([]);
  });

  it("is paired silently on loopback but its command surface awaits approval", async () => {
    const listed = await callGateway(gateway.url, { auth: gateway.auth, method: "node.list" });
    const entry = ((listed.payload as { nodes: Record<string, unknown>[] }).nodes ?? []).find((n) => n["nodeId"] === node.nodeId);
    expect(entry).toMatchObject({ displayName: DISPLAY_NAME, clientId: "node-host", clientMode: "node", paired: true, connected: true, approvalState: "pending-approval", commands: [] });
    expect(entry?.["pendingDeclaredCommands"]).toEqual(expect.arrayContaining(["system.run", "system.which"]));
    const pending = await listPendingNodes(gateway);
    const request = pending.find((p) => p.nodeId === node.nodeId);
    expect(request?.requiredApproveScopes).toEqual(["operator.pairing", "operator.admin"]);
  });

  it("node.invoke before the surface is approved: retryable UNAVAILABLE PAIRING_CHANGED (not an allowlist error)", async () => {
    const result = await systemRun(["/usr/bin/echo", "hi"]);
    expect(result.ok).toBe(false);
    expect(result.error).toEqual({
      code: "UNAVAILABLE",
      message: "node pairing changed while invocation was active",
      details: { code: "PAIRING_CHANGED" },
      retryable: true,
    });
  });

  it("after `openclaw nodes approve` the node exposes system.run", async () => {
    await approveNodeHost(gateway, node);
    const listed = await callGateway(gateway.url, { auth: gateway.auth, method: "node.list" });
    const entry = ((listed.payload as { nodes: Record<string, unknown>[] }).nodes ?? []).find((n) => n["nodeId"] === node.nodeId);
    expect(entry).toMatchObject({ approvalState: "approved" });
    expect(entry?.["commands"]).toEqual(expect.arrayContaining(["system.run"]));
  });

  it("exec approvals set via `openclaw approvals set --stdin` gate system.run on the node", async () => {
    const doc = {
      version: 1,
      defaults: { security: "allowlist", ask: "off", askFallback: "deny", autoAllowSkills: false },
      agents: { "*": { allowlist: [{ pattern: "/usr/bin/echo" }] } },
    };
    const stored = await setNodeExecApprovals(node, doc);
    expect(String(stored["path"])).toContain("#exec_approvals_config");

    const allowed = await systemRun(["/usr/bin/echo", "hi"]);
    expect(allowed.ok, JSON.stringify(allowed.response)).toBe(true);
    const payload = allowed.payload as Record<string, unknown>;
    expect(payload).toMatchObject({ ok: true, nodeId: node.nodeId, command: "system.run" });
    expect(payload["payload"]).toMatchObject({ exitCode: 0, timedOut: false, success: true, stdout: "hi\n", stderr: "" });

    const denied = await systemRun(["/usr/bin/uname", "-a"]);
    expect(denied.ok).toBe(false);
    // The gateway prefixes the node's message with its code again: the prefix appears twice.
    expect(denied.error).toEqual({
      code: "UNAVAILABLE",
      message: "SYSTEM_RUN_DENIED: SYSTEM_RUN_DENIED: allowlist miss",
      details: { nodeError: { code: "SYSTEM_RUN_DENIED", message: "SYSTEM_RUN_DENIED: allowlist miss" }, nodeCommandDispatched: true },
    });
  }, 240_000);
});

import { afterEach, describe, expect, it } from "vitest";
import { SystemRunResult } from "@clawbridge/protocol";
import { MockGateway, MockNode } from "../src/index.js";
import { ADMIN_SCOPES, connectOperator, waitFor } from "./helpers.js";
import type { OperatorClient } from "./helpers.js";

const TOKEN = "mock-token";
let gateway: MockGateway | undefined;
const clients: OperatorClient[] = [];
const nodes: MockNode[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const node of nodes.splice(0)) await node.stop();
  await gateway?.stop({ graceMs: 200 });
  gateway = undefined;
});

/** `node -e <script>` is allowed only with exactly this script. */
const SCRIPT = "process.stdout.write(JSON.stringify({argv:process.argv.slice(1),lang:process.env.LANG,evil:process.env.NODE_OPTIONS ?? null}));process.stderr.write('warn');process.exitCode=3";
const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

async function setup(nodeOptions: Partial<ConstructorParameters<typeof MockNode>[0]> = {}): Promise<{ node: MockNode; op: OperatorClient }> {
  gateway = new MockGateway({ auth: { token: TOKEN } });
  await gateway.start();
  const node = new MockNode({
    url: gateway.url,
    token: TOKEN,
    displayName: "WN1",
    platform: "linux",
    deviceFamily: "Linux",
    commands: ["system.run", "system.notify"],
    execAllowlist: [{ pattern: process.execPath, argPattern: `^-e ${escapeRegex(SCRIPT)}( \\S+)*$` }],
    env: { ...process.env, LANG: "C.UTF-8" },
    ...nodeOptions,
  });
  nodes.push(node);
  const hello = await node.start();
  expect(hello.auth.role).toBe("node");
  const op = await connectOperator(gateway.url, { token: TOKEN, scopes: ADMIN_SCOPES });
  clients.push(op);
  return { node, op };
}

function runParams(nodeId: string, argv: string[], key: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    nodeId,
    command: "system.run",
    params: { command: argv, timeoutMs: 10_000, agentId: "main", suppressNotifyOnExit: true, ...extra },
    timeoutMs: 15_000,
    idempotencyKey: key,
  };
}

describe("node.invoke through a MockNode", () => {
  it("needs node pairing approval of system.run before it can be invoked", async () => {
    const { node, op } = await setup();
    expect(gateway!.pendingNodePairings().map((request) => request.nodeId)).toEqual([node.nodeId]);
    const entry = await op.peer.request<{ commands: string[]; approvalState: string; pendingRequestId: string }>("node.describe", {
      nodeId: node.nodeId,
    });
    expect(entry.approvalState).toBe("pending-approval");
    // Until its surface is approved a node exposes nothing (observed on 2026.9.6: caps [] and commands []).
    expect(entry.commands).toEqual([]);
    // Observed on 2026.9.6: an unapproved surface is a pairing error (retryable), not an allowlist one.
    await expect(op.peer.request("node.invoke", runParams(node.nodeId, ["true"], "k0"))).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: "node pairing changed while invocation was active",
      details: { code: "PAIRING_CHANGED" },
      retryable: true,
    });
    // Approval of a system.run surface needs admin on top of pairing.
    const pairingOnly = await connectOperator(gateway!.url, { token: TOKEN, scopes: ["operator.pairing"] });
    clients.push(pairingOnly);
    await expect(pairingOnly.peer.request("node.pair.approve", { requestId: entry.pendingRequestId })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "missing scope: operator.admin",
    });
    const list = await op.peer.request<{ pending: { requestId: string; requiredApproveScopes: string[] }[] }>("node.pair.list", {});
    expect(list.pending[0]?.requiredApproveScopes).toEqual(["operator.pairing", "operator.admin"]);
    await op.peer.request("node.pair.approve", { requestId: entry.pendingRequestId });
    const after = await op.peer.request<{ commands: string[]; approvalState: string }>("node.describe", { nodeId: node.nodeId });
    expect(after).toMatchObject({ approvalState: "approved", commands: ["system.run", "system.notify"] });
  });

  it("runs an allowlisted argv in a real child process, with only safe request env", async () => {
    const { node, op } = await setup();
    gateway!.approveNodePairing(node.nodeId);
    const argv = [process.execPath, "-e", SCRIPT, "one", "two"];
    const result = await op.peer.request<Record<string, unknown>>(
      "node.invoke",
      runParams(node.nodeId, argv, "k1", { env: { LANG: "en_US.UTF-8", NODE_OPTIONS: "--require /tmp/evil.js" } }),
    );
    expect(result).toMatchObject({ ok: true, nodeId: node.nodeId, command: "system.run" });
    const payload = SystemRunResult.parse(result["payload"]);
    expect(payload).toEqual({ exitCode: 3, stdout: expect.any(String), stderr: "warn", timedOut: false });
    expect(JSON.parse(payload.stdout)).toEqual({ argv: ["one", "two"], lang: "en_US.UTF-8", evil: null });
    expect(JSON.parse(result["payloadJSON"] as string)).toEqual(payload);
    expect(node.invocations.at(-1)?.params).toMatchObject({ command: argv, agentId: "main" });
  });

  it("kills a child on timeout and reports timedOut", async () => {
    const hang = "setInterval(()=>{},1000)";
    const { node, op } = await setup({ execAllowlist: [{ pattern: process.execPath, argPattern: `^-e ${escapeRegex(hang)}$` }] });
    gateway!.approveNodePairing(node.nodeId);
    const result = await op.peer.request<{ payload: unknown }>(
      "node.invoke",
      runParams(node.nodeId, [process.execPath, "-e", hang], "k-timeout", { timeoutMs: 300 }),
    );
    expect(SystemRunResult.parse(result.payload)).toMatchObject({ exitCode: null, timedOut: true });
  });

  it("answers an allowlist miss with the node's SYSTEM_RUN_DENIED error as UNAVAILABLE", async () => {
    const { node, op } = await setup();
    gateway!.approveNodePairing(node.nodeId);
    const error = await op.peer
      .request("node.invoke", runParams(node.nodeId, [process.execPath, "-e", "console.log('not allowed')"], "k2"))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "UNAVAILABLE",
      message: "SYSTEM_RUN_DENIED: SYSTEM_RUN_DENIED: allowlist miss",
      details: { nodeError: { code: "SYSTEM_RUN_DENIED", message: "SYSTEM_RUN_DENIED: allowlist miss" }, nodeCommandDispatched: true },
    });
    // Another executable is not covered by the node binary's path pattern.
    await expect(op.peer.request("node.invoke", runParams(node.nodeId, ["echo", "hi"], "k3"))).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: "SYSTEM_RUN_DENIED: SYSTEM_RUN_DENIED: allowlist miss",
    });
  });

  it("dedupes by idempotencyKey: the same key returns the same result without running again", async () => {
    const { node, op } = await setup();
    gateway!.approveNodePairing(node.nodeId);
    const params = runParams(node.nodeId, [process.execPath, "-e", SCRIPT, "x"], "same-key");
    const [first, second] = await Promise.all([op.peer.request("node.invoke", params), op.peer.request("node.invoke", params)]);
    const third = await op.peer.request("node.invoke", params);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(node.invocations).toHaveLength(1);
    await op.peer.request("node.invoke", runParams(node.nodeId, [process.execPath, "-e", SCRIPT, "x"], "other-key"));
    expect(node.invocations).toHaveLength(2);
  });

  it("validates params: idempotencyKey required, closed object", async () => {
    const { node, op } = await setup();
    await expect(op.peer.request("node.invoke", { nodeId: node.nodeId, command: "system.run" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: "invalid node.invoke params: must have required property 'idempotencyKey'",
    });
    await expect(
      op.peer.request("node.invoke", { nodeId: node.nodeId, command: "system.run", idempotencyKey: "k", extra: 1 }),
    ).rejects.toMatchObject({ message: "invalid node.invoke params: at root: unexpected property 'extra'" });
  });

  it("node not connected, undeclared commands, and a node calling node.list", async () => {
    const { node, op } = await setup();
    gateway!.approveNodePairing(node.nodeId);
    await expect(op.peer.request("node.invoke", { ...runParams(node.nodeId, ["x"], "k4"), command: "camera.list" })).rejects.toMatchObject({
      message: 'node command not allowed: "camera.list" is not in the allowlist for platform "linux"',
    });
    await expect(
      node.peer!.request("node.list", {}),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST", message: "unauthorized role: node" });
    await node.stop();
    await waitFor(() => gateway!.nodes.get(node.nodeId)?.connection === undefined);
    await expect(op.peer.request("node.invoke", runParams(node.nodeId, ["true"], "k5"))).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: "node not connected",
    });
    expect(await op.peer.request("node.describe", { nodeId: node.nodeId })).toMatchObject({ connected: false, lastSeenReason: "disconnect" });
  });

  it("a fake node of any desktop platform gets that platform's default commands", async () => {
    gateway = new MockGateway({ auth: { token: TOKEN } });
    await gateway.start();
    for (const platform of ["linux", "macos", "windows"]) {
      gateway.addFakeNode({ nodeId: `fake-${platform}`, platform, commands: ["system.run"], handler: (command) => ({ ran: command }) });
    }
    const op = await connectOperator(gateway.url, { token: TOKEN, scopes: ["operator.write"] });
    clients.push(op);
    for (const platform of ["linux", "macos", "windows"]) {
      const nodeId = `fake-${platform}`;
      expect(await op.peer.request("node.describe", { nodeId })).toMatchObject({ platform, commands: ["system.run"] });
      expect(await op.peer.request("node.invoke", { nodeId, command: "system.run", params: { command: ["x"] }, idempotencyKey: `k-${platform}` })).toMatchObject({
        ok: true,
        payload: { ran: "system.run" },
      });
    }
  });

  it("times out when the node never answers", async () => {
    gateway = new MockGateway({ auth: { token: TOKEN } });
    await gateway.start();
    gateway.addFakeNode({ nodeId: "fake", commands: ["system.notify"], handler: () => ({ shown: true }) });
    const op = await connectOperator(gateway.url, { token: TOKEN, scopes: ["operator.write"] });
    clients.push(op);
    expect(await op.peer.request("node.invoke", { nodeId: "fake", command: "system.notify", idempotencyKey: "n1" })).toEqual({
      ok: true,
      nodeId: "fake",
      command: "system.notify",
      payload: { shown: true },
      payloadJSON: '{"shown":true}',
    });
    // A real node that ignores the request: nothing answers node.invoke.request.
    const silent = new MockNode({ url: gateway.url, token: TOKEN, commands: ["system.notify"], handlers: { "system.notify": () => new Promise(() => undefined) } });
    nodes.push(silent);
    await silent.start();
    await expect(
      op.peer.request("node.invoke", { nodeId: silent.nodeId, command: "system.notify", idempotencyKey: "n2", timeoutMs: 200 }),
    ).rejects.toMatchObject({ code: "UNAVAILABLE", message: "TIMEOUT: node invoke timed out" });
  });
});

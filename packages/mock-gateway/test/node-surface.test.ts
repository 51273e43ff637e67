import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { MockGateway, MockNode } from "../src/index.js";
import { ADMIN_SCOPES, connectOperator } from "./helpers.js";
import type { OperatorClient } from "./helpers.js";

const TOKEN = "surface-token";
let gateway: MockGateway | undefined;
const clients: OperatorClient[] = [];
const nodes: MockNode[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const node of nodes.splice(0)) await node.stop();
  await gateway?.stop({ graceMs: 200 });
  gateway = undefined;
});

/** The 21 commands a real `openclaw node run` host on Linux declares (2026.9.6). */
const NODE_HOST_COMMANDS = [
  "browser.proxy", "browser.proxy.upload.v1", "desktop.stream", "dir.fetch", "dir.list", "file.create", "file.fetch",
  "file.stat", "file.write", "fs.listDir", "mcp.tools.call.v1", "ollama.chat", "ollama.models", "system.execApprovals.get",
  "system.execApprovals.set", "system.run", "system.run.prepare", "system.which", "terminal.upload", "workspace.memory",
  "workspace.skills",
];

async function setup(): Promise<{ node: MockNode; admin: OperatorClient }> {
  gateway = new MockGateway({ auth: { token: TOKEN } });
  await gateway.start();
  const node = new MockNode({ url: gateway.url, token: TOKEN, displayName: "WN", platform: "linux", deviceFamily: "Linux", commands: NODE_HOST_COMMANDS });
  nodes.push(node);
  await node.start();
  const admin = await connectOperator(gateway.url, { token: TOKEN, scopes: ADMIN_SCOPES });
  clients.push(admin);
  return { node, admin };
}

describe("a node host's command surface, as a real gateway shows it", () => {
  it("pending: nothing exposed; the request lists only grantable commands; pendingDeclared* for pairing callers", async () => {
    const { node, admin } = await setup();
    const entry = await admin.peer.request<Record<string, unknown>>("node.describe", { nodeId: node.nodeId });
    expect(entry).toMatchObject({ approvalState: "pending-approval", caps: [], commands: [], paired: true, connected: true });
    expect(entry).not.toHaveProperty("remoteIp");
    expect(entry["approvedAtMs"]).toEqual(expect.any(Number));
    // Observed: 13 of the 21 declared commands can be granted (no dir.*, file.*, workspace.*).
    const grantable = [
      "browser.proxy", "browser.proxy.upload.v1", "desktop.stream", "fs.listDir", "mcp.tools.call.v1", "ollama.chat", "ollama.models",
      "system.execApprovals.get", "system.execApprovals.set", "system.run", "system.run.prepare", "system.which", "terminal.upload",
    ];
    expect(entry["pendingDeclaredCommands"]).toEqual(grantable);
    const list = await admin.peer.request<{ pending: Record<string, unknown>[] }>("node.pair.list", {});
    expect(list.pending[0]).toMatchObject({ nodeId: node.nodeId, clientId: "node-host", commands: grantable, silent: true });
    const reader = await connectOperator(gateway!.url, { token: TOKEN, scopes: ["operator.read"] });
    clients.push(reader);
    const seenByReader = await reader.peer.request<Record<string, unknown>>("node.describe", { nodeId: node.nodeId });
    expect(seenByReader).not.toHaveProperty("pendingRequestId");
    expect(seenByReader).not.toHaveProperty("pendingDeclaredCommands");
  });

  it("approved: declared ∩ allowlist, including the bundled Ollama plugin's commands", async () => {
    const { node, admin } = await setup();
    gateway!.approveNodePairing(node.nodeId);
    const entry = await admin.peer.request<{ commands: string[]; approvalState: string }>("node.describe", { nodeId: node.nodeId });
    expect(entry.approvalState).toBe("approved");
    expect(entry.commands).toEqual(expect.arrayContaining(["system.run", "ollama.chat", "ollama.models"]));
    expect(entry.commands).not.toContain("file.write");
  });

  it("serves the node-side updates a real node host sends after hello", async () => {
    const { node } = await setup();
    const peer = node.peer!;
    expect(await peer.request("node.pluginTools.update", { tools: [] })).toEqual({ nodeId: node.nodeId, tools: [] });
    expect(await peer.request("node.skills.update", { skills: [] })).toEqual({ nodeId: node.nodeId, skills: [] });
    const inventory = { protocolFeatures: ["node-worker-supervisor-v6"], workerHost: { enabled: false } };
    // Retryable until the surface is approved; the hint names the pending request.
    await expect(peer.request("node.runnerInventory.update", inventory)).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining("node capability surface is awaiting operator approval; run `openclaw nodes approve "),
    });
    gateway!.approveNodePairing(node.nodeId);
    expect(await peer.request("node.runnerInventory.update", inventory)).toEqual({ nodeId: node.nodeId });
    await expect(peer.request("node.runnerInventory.update", { protocolFeatures: ["v0"] })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: "invalid node runner inventory",
    });
    await expect(peer.request("node.skills.update", { skills: [], extra: 1 })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  });
});

describe("forwarding headers", () => {
  it("are refused with HTTP 403 unless the peer is a trusted proxy (OpenClaw's default)", async () => {
    gateway = new MockGateway({ auth: { token: TOKEN } });
    const url = await gateway.start();
    const status = await new Promise<number | undefined>((resolve) => {
      const socket = new WebSocket(url, { headers: { "X-Forwarded-For": "203.0.113.9" } });
      socket.on("unexpected-response", (_request, response) => {
        resolve(response.statusCode);
        socket.terminate();
      });
      socket.on("open", () => {
        resolve(101);
        socket.close();
      });
      socket.on("error", () => undefined);
    });
    expect(status).toBe(403);
    await gateway.stop({ graceMs: 200 });
    gateway = new MockGateway({ auth: { token: TOKEN }, trustedProxies: ["127.0.0.1"] });
    const trusted = await gateway.start();
    const remote = await connectOperator(trusted, { token: TOKEN, headers: { "X-Forwarded-For": "203.0.113.9" } });
    clients.push(remote);
    // A remote CLI without a device keeps no scopes.
    expect(remote.hello.auth.scopes).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { HealthSnapshot, NodeEntry, PresenceEntry } from "@clawbridge/protocol";
import { GatewayRequestError } from "@clawbridge/rpc-core";
import { MockGateway, createDeviceIdentity } from "../src/index.js";
import { ADMIN_SCOPES, connectOperator, waitFor } from "./helpers.js";
import type { OperatorClient } from "./helpers.js";

const TOKEN = "mock-token";
let gateway: MockGateway | undefined;
const clients: OperatorClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await gateway?.stop({ graceMs: 200 });
  gateway = undefined;
});

async function start(options: Partial<ConstructorParameters<typeof MockGateway>[0]> = {}): Promise<MockGateway> {
  gateway = new MockGateway({ auth: { token: TOKEN }, ...options });
  await gateway.start();
  return gateway;
}

async function operator(scopes: string[] = ["operator.read"], extra: Parameters<typeof connectOperator>[1] = {}): Promise<OperatorClient> {
  const client = await connectOperator(gateway!.url, { token: TOKEN, scopes, ...extra });
  clients.push(client);
  return client;
}

describe("MockGateway core methods", () => {
  it("hello-ok carries a snapshot; health is pushed with seq 1 after hello", async () => {
    await start();
    const client = await operator(["operator.admin"]);
    expect(client.hello.snapshot.presence[0]).toMatchObject({ mode: "gateway", reason: "self" });
    expect(client.hello.snapshot.authMode).toBe("token");
    expect(client.hello.features.methods).toEqual(expect.arrayContaining(["health", "node.invoke", "logs.tail"]));
    await waitFor(() => client.events.some((e) => e.event === "health"));
    expect(client.events.find((e) => e.event === "health")?.seq).toBe(1);
  });

  it("health has the §5.2 shape", async () => {
    await start();
    const client = await operator();
    const health = HealthSnapshot.parse(await client.peer.request("health"));
    expect(health).toMatchObject({ ok: true, channels: {}, channelOrder: [], channelLabels: {}, defaultAgentId: "main" });
    expect(health["sessions"]).toMatchObject({ count: 0, recent: [] });
    expect((health.agents?.[0] as { agentId: string }).agentId).toBe("main");
    expect(typeof health.heartbeatSeconds).toBe("number");
  });

  it("status has the §5.3 keys and redacts paths for non-admins", async () => {
    await start();
    const reader = await operator();
    const status = await reader.peer.request<Record<string, unknown>>("status");
    for (const key of ["runtimeVersion", "heartbeat", "channelSummary", "queuedSystemEvents", "sessions", "pid"]) {
      expect(status).toHaveProperty(key);
    }
    expect((status["sessions"] as { paths: string[] }).paths).toEqual([]);
    const admin = await operator(["operator.admin"]);
    expect(((await admin.peer.request<Record<string, unknown>>("status"))["sessions"] as { paths: string[] }).paths).toHaveLength(1);
  });

  it("system-presence lists the gateway itself and non-ephemeral clients, who stay listed as disconnected", async () => {
    await start();
    const client = await operator();
    const tester = await operator(["operator.read"], { clientId: "test", mode: "test" });
    const presence = (await client.peer.request<unknown[]>("system-presence")).map((entry) => PresenceEntry.parse(entry));
    expect(presence[0]).toMatchObject({ mode: "gateway", reason: "self" });
    // As OpenClaw: cli/backend/probe sockets are ephemeral and never listed.
    expect(presence.some((entry) => entry.clientId === "cli")).toBe(false);
    const row = presence.find((entry) => entry.clientId === "test");
    expect(row).toMatchObject({ host: "test", mode: "test", reason: "connect", roles: ["operator"], text: "Node: test · mode test" });
    expect(row?.user).toMatchObject({ id: "gateway-owner" });
    // A local client has no ip; a test client's cleared scopes are not listed.
    expect(row).not.toHaveProperty("ip");
    expect(row).not.toHaveProperty("scopes");
    await tester.close();
    await waitFor(() => gateway!.server.connections.size === 1);
    const after = await client.peer.request<{ clientId?: string; reason?: string }[]>("system-presence");
    expect(after.find((entry) => entry.clientId === "test")?.reason).toBe("disconnect");
  });

  it("node.list is closed; node.describe rejects unknown ids", async () => {
    await start();
    const client = await operator();
    expect(await client.peer.request("node.list", {})).toMatchObject({ nodes: [] });
    await expect(client.peer.request("node.list", { bogus: 1 })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: "invalid node.list params: at root: unexpected property 'bogus'",
    });
    await expect(client.peer.request("node.describe", { nodeId: "nope" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: "unknown nodeId",
    });
  });

  it("lists fake nodes as NodeEntry, connected first", async () => {
    await start();
    gateway!.addFakeNode({ nodeId: "b-node", displayName: "B", commands: ["system.notify"], connected: false });
    gateway!.addFakeNode({ nodeId: "a-node", displayName: "Z", commands: ["system.notify", "camera.snap"] });
    const client = await operator();
    const { nodes } = await client.peer.request<{ nodes: unknown[] }>("node.list", {});
    const entries = nodes.map((node) => NodeEntry.parse(node));
    expect(entries.map((entry) => [entry.nodeId, entry.connected])).toEqual([
      ["a-node", true],
      ["b-node", false],
    ]);
    // camera.snap is a dangerous default: never effective without an explicit allow.
    expect(entries[0]?.commands).toEqual(["system.notify"]);
    expect(await client.peer.request("node.describe", { nodeId: "a-node" })).toMatchObject({
      nodeId: "a-node",
      displayName: "Z",
      approvalState: "approved",
      paired: true,
    });
  });

  it("logs.tail serves the log ring with cursors", async () => {
    await start();
    gateway!.log({ msg: "first" });
    gateway!.log({ msg: "second" });
    const client = await operator();
    const tail = await client.peer.request<{ file: string; cursor: number; size: number; lines: string[] }>("logs.tail", {});
    expect(tail.file).toMatch(/openclaw-\d{4}-\d{2}-\d{2}\.log$/);
    expect(tail.lines.some((line) => line.includes('"first"'))).toBe(true);
    expect(tail.cursor).toBe(tail.size);
    gateway!.log({ msg: "third" });
    const next = await client.peer.request<{ lines: string[] }>("logs.tail", { cursor: tail.cursor });
    expect(next.lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(["third"]);
    await expect(client.peer.request("logs.tail", { limit: 0 })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  });

  it("last-heartbeat returns what the admin API set", async () => {
    await start();
    const client = await operator();
    expect(await client.peer.request("last-heartbeat")).toBeNull();
    gateway!.setLastHeartbeat({ ts: 1, status: "ok" });
    expect(await client.peer.request("last-heartbeat")).toEqual({ ts: 1, status: "ok" });
  });
});

describe("device pairing over RPC", () => {
  it("device.pair.list / approve / reject drive the pairing store and broadcast to pairing scopes", async () => {
    // A remote client, as OpenClaw sees one behind a trusted proxy on the same host.
    await start({ trustedProxies: ["127.0.0.1"] });
    const admin = await operator(ADMIN_SCOPES);
    const identity = createDeviceIdentity();
    const remote = { "X-Forwarded-For": "198.51.100.9" };
    const refused = connectOperator(gateway!.url, { token: TOKEN, identity, headers: remote });
    await expect(refused).rejects.toMatchObject({ code: "NOT_PAIRED", details: { code: "PAIRING_REQUIRED" } });
    await waitFor(() => admin.events.some((e) => e.event === "device.pair.requested"));
    const list = await admin.peer.request<{ pending: { requestId: string; deviceId: string }[] }>("device.pair.list", {});
    expect(list.pending).toHaveLength(1);
    expect(list.pending[0]?.deviceId).toBe(identity.deviceId);
    const approved = await admin.peer.request("device.pair.approve", { requestId: list.pending[0]?.requestId });
    expect(approved).toMatchObject({ device: { deviceId: identity.deviceId, roles: ["operator"] } });
    await waitFor(() => admin.events.some((e) => e.event === "device.pair.resolved"));
    const paired = await connectOperator(gateway!.url, { token: TOKEN, identity, headers: remote });
    clients.push(paired);
    expect(paired.hello.auth.deviceToken).toBeDefined();
    const viaToken = await connectOperator(gateway!.url, { deviceToken: paired.hello.auth.deviceToken as string, identity, headers: remote });
    clients.push(viaToken);
    expect(viaToken.hello.auth.method).toBe("device-token");
    await expect(admin.peer.request("device.pair.reject", { requestId: "nope" })).rejects.toMatchObject({
      message: "unknown requestId",
    });
    const listed = await admin.peer.request<{ paired: Record<string, unknown>[] }>("device.pair.list", {});
    // Device tokens are never listed.
    expect(JSON.stringify(listed)).not.toContain(paired.hello.auth.deviceToken as string);
  });

  it("pairing methods need operator.pairing", async () => {
    await start();
    const reader = await operator(["operator.read", "operator.write"]);
    const error = await reader.peer.request("device.pair.list", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayRequestError);
    expect(error).toMatchObject({ code: "FORBIDDEN", message: "missing scope: operator.pairing" });
  });
});

describe("exec approvals", () => {
  it("exec.approval.list lists pending, unexpired approvals as OpenClaw does, to operator.approvals only", async () => {
    await start();
    const first = gateway!.addExecApproval({ command: "ls -la", commandArgv: ["ls", "-la"], host: "node", nodeId: "wn1", agentId: "main" }, { id: "a1" });
    gateway!.addExecApproval({ command: "true" }, { id: "gone", timeoutMs: -1 });
    const approver = await operator(["operator.approvals"]);
    const listed = await approver.peer.request<unknown[]>("exec.approval.list", {});
    expect(listed).toEqual([{ id: "a1", request: first.request, createdAtMs: first.createdAtMs, expiresAtMs: first.expiresAtMs }]);
    expect(first.expiresAtMs - first.createdAtMs).toBe(1_800_000);
    const reader = await operator(["operator.read", "operator.write"]);
    await expect(reader.peer.request("exec.approval.list", {})).rejects.toMatchObject({ code: "FORBIDDEN", message: "missing scope: operator.approvals" });
  });
});

describe("auth modes", () => {
  it("{password}: the password is required", async () => {
    gateway = new MockGateway({ auth: { password: "pw" } });
    await gateway.start();
    const ok = await connectOperator(gateway.url, { password: "pw" });
    clients.push(ok);
    expect(ok.hello.auth.method).toBe("password");
    await expect(connectOperator(gateway.url, { password: "nope" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      details: { code: "AUTH_PASSWORD_MISMATCH" },
    });
  });

  it("{none}: devices and the local backend client get in; a device-less CLI needs a device (as OpenClaw)", async () => {
    gateway = new MockGateway({ auth: { none: true } });
    await gateway.start();
    const backend = await connectOperator(gateway.url, { clientId: "gateway-client", mode: "backend", scopes: ["operator.read"] });
    clients.push(backend);
    expect(backend.hello.auth).toMatchObject({ method: "none", scopes: ["operator.read"] });
    const withDevice = await connectOperator(gateway.url, { identity: createDeviceIdentity(), scopes: ["operator.read"] });
    clients.push(withDevice);
    expect(withDevice.hello.auth.deviceToken).toBeDefined();
    await expect(connectOperator(gateway.url, {})).rejects.toMatchObject({
      code: "NOT_PAIRED",
      message: "device identity required",
    });
  });
});

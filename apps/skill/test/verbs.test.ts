import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MockNode } from "@clawbridge/mock-gateway";
import type { MockGateway } from "@clawbridge/mock-gateway";
import { VERB_NAMES } from "../src/verbs.js";
import { assertBuilt, cleanEnv, json, runSkill, tempDir, writeRemotes, writeSecretFile } from "./helpers/bins.js";
import { startGateway, unusedPort } from "./helpers/gateways.js";

const TOKEN = "gw2-verbs-token-3b7d1f";
const FAKE_NODE = "fake-linux-node";

let gateway: MockGateway;
let wn2: MockNode;
let dir: string;
let cleanup: () => Promise<void>;
let env: NodeJS.ProcessEnv;
const notified: unknown[] = [];

beforeAll(async () => {
  assertBuilt();
  ({ dir, cleanup } = await tempDir());
  gateway = await startGateway(TOKEN);
  // WN2: a real node client whose command surface is still waiting for approval (a pending pairing).
  wn2 = new MockNode({ url: gateway.url, token: TOKEN, displayName: "WN2", platform: "linux", deviceFamily: "Linux" });
  await wn2.start();
  gateway.addFakeNode({
    nodeId: FAKE_NODE,
    displayName: "kiosk",
    commands: ["system.notify", "device.info"],
    handler: (command, params) => {
      notified.push(params);
      return { delivered: true, command };
    },
  });
  const tokenFile = await writeSecretFile(join(dir, "gw2.token"), TOKEN);
  await writeRemotes(dir, {
    // Token from a 0600 file.
    gw2: { url: gateway.url, description: "GW2 in cluster 2", auth: { tokenFile }, skill: { allowInvoke: ["system.notify", "device.info"], allowCall: true } },
    // Token from an env var; no skill section (read-only verbs only).
    ro: { url: gateway.url, auth: { tokenEnv: "RO_TOKEN" } },
    wrong: { url: gateway.url, auth: { tokenEnv: "WRONG_TOKEN" } },
    down: { url: `ws://127.0.0.1:${await unusedPort()}`, auth: { tokenEnv: "RO_TOKEN" } },
  });
  env = cleanEnv(dir, { RO_TOKEN: TOKEN, WRONG_TOKEN: "not-the-token-000" });
});

afterAll(async () => {
  await wn2?.stop();
  await gateway?.stop({ graceMs: 100 });
  await cleanup?.();
});

describe("remote-gateway verbs against MockGateway", () => {
  it("list_nodes prints node.list's payload", async () => {
    const result = await runSkill(["list_nodes", "gw2"], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const payload = json<{ nodes: Array<{ nodeId: string; connected: boolean }> }>(result);
    expect(payload.nodes.map((node) => node.nodeId).sort()).toEqual([FAKE_NODE, wn2.nodeId].sort());
  });

  it("describe_node prints one node", async () => {
    const result = await runSkill(["describe_node", "ro", wn2.nodeId], env);
    expect(result.code).toBe(0);
    expect(json(result)).toMatchObject({ nodeId: wn2.nodeId, displayName: "WN2", connected: true });
  });

  it("status, health and presence print their payloads", async () => {
    const status = await runSkill(["status", "ro"], env);
    expect(status.code).toBe(0);
    expect(json(status)).toMatchObject({ runtimeVersion: "2026.9.6" });
    const health = await runSkill(["health", "ro"], env);
    expect(health.code).toBe(0);
    expect(json(health)).toMatchObject({ ok: true });
    const presence = await runSkill(["presence", "ro"], env);
    expect(presence.code).toBe(0);
    const entries = json<Array<{ mode: string }>>(presence);
    expect(Array.isArray(entries)).toBe(true);
    expect(entries.some((entry) => entry.mode === "gateway")).toBe(true);
  });

  it("pending_pairings combines device.pair.list and node.pair.list (pending only)", async () => {
    const result = await runSkill(["pending_pairings", "ro"], env);
    expect(result.code).toBe(0);
    const payload = json<{ devices: unknown[]; nodes: Array<{ nodeId: string; requestId: string }> }>(result);
    expect(Object.keys(payload).sort()).toEqual(["devices", "nodes"]);
    expect(payload.devices).toEqual([]);
    expect(payload.nodes.map((request) => request.nodeId)).toEqual([wn2.nodeId]);
  });

  it("pending_approvals lists exec.approval.list's pending approvals, without the request's env", async () => {
    const added = gateway.addExecApproval(
      { command: "rm -rf /tmp/x", commandArgv: ["rm", "-rf", "/tmp/x"], host: "node", nodeId: "wn2", agentId: "main", env: { API_KEY: "env-secret-9f2" } },
      { id: "appr-1" },
    );
    const result = await runSkill(["pending_approvals", "gw2"], env);
    expect(result.code, result.stdout).toBe(0);
    const { env: _env, ...shown } = added.request;
    expect(json(result)).toEqual({ approvals: [{ id: "appr-1", request: shown, createdAtMs: added.createdAtMs, expiresAtMs: added.expiresAtMs }] });
    expect(result.stdout).not.toContain("env-secret-9f2");
  });

  it("invoke sends an allowed node command with --params and prints the result without payloadJSON", async () => {
    const result = await runSkill(["invoke", "gw2", FAKE_NODE, "system.notify", "--params", '{"title":"hi"}'], env);
    expect(result.code).toBe(0);
    expect(json(result)).toEqual({ ok: true, nodeId: FAKE_NODE, command: "system.notify", payload: { delivered: true, command: "system.notify" } });
    expect(notified.at(-1)).toEqual({ title: "hi" });
  });

  it("invoke reports the gateway's refusal of an allowlisted command as a gateway error (exit 1)", async () => {
    const result = await runSkill(["invoke", "gw2", FAKE_NODE, "device.info"], env);
    expect(result.code).toBe(1);
    expect(json(result)).toMatchObject({ ok: false, error: { type: "gateway_request_error", code: "INVALID_REQUEST" } });
  });

  it("call runs a raw method when the profile allows it", async () => {
    const result = await runSkill(["call", "gw2", "node.list", "--params", "{}"], env);
    expect(result.code).toBe(0);
    expect(json<{ nodes: unknown[] }>(result).nodes).toHaveLength(2);
  });

  it("remotes lists ids, descriptions and permitted verbs, never a URL", async () => {
    const result = await runSkill(["remotes"], env);
    expect(result.code).toBe(0);
    const payload = json<{ remotes: Array<Record<string, unknown>> }>(result);
    expect(payload.remotes.map((remote) => remote.id)).toEqual(["down", "gw2", "ro", "wrong"]);
    const readVerbs = ["list_nodes", "describe_node", "status", "health", "presence", "pending_pairings", "pending_approvals"];
    expect(payload.remotes.find((remote) => remote.id === "gw2")).toEqual({
      id: "gw2",
      description: "GW2 in cluster 2",
      verbs: [...readVerbs, "invoke", "call"],
      invokeCommands: ["system.notify", "device.info"],
    });
    expect(payload.remotes.find((remote) => remote.id === "ro")).toEqual({ id: "ro", verbs: readVerbs });
    expect(result.stdout).not.toContain("ws://");
    expect(result.stdout).not.toContain("127.0.0.1");
    expect(result.stdout).not.toContain("tokenFile");
    expect(result.stdout).not.toContain("RO_TOKEN");
  });

  it("names the remote by id, not by URL, when it cannot connect", async () => {
    const result = await runSkill(["status", "down"], env);
    expect(result.code).toBe(3);
    const envelope = json<Record<string, unknown> & { error: { message: string } }>(result);
    expect(envelope["gateway"]).toBeUndefined();
    expect(envelope.error.message).toContain("remote down");
    expect(result.stdout).not.toContain("ws://");
    expect(result.stdout).not.toContain("127.0.0.1");
  });

  it.each(VERB_NAMES.map((verb) => [verb]))("%s --help prints its usage and exit codes (exit 0)", async (verb) => {
    const result = await runSkill([verb, "--help"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: remote-gateway ${verb}`);
    expect(result.stdout).toContain("Exit codes:");
  });
});

describe("remote-gateway failures: one JSON envelope on stdout and the §4 exit code", () => {
  it.each([
    ["unknown remote", ["list_nodes", "nope"], 2, "usage_error", "UNKNOWN_REMOTE"],
    ["invalid remote id", ["list_nodes", "../x"], 2, "usage_error", "INVALID_REMOTE_ID"],
    ["missing argument", ["describe_node", "gw2"], 2, "usage_error", "INVALID_ARGUMENTS"],
    ["extra argument", ["list_nodes", "gw2", "more"], 2, "usage_error", "INVALID_ARGUMENTS"],
    ["unknown option", ["list_nodes", "gw2", "--verbose"], 2, "usage_error", "INVALID_ARGUMENTS"],
    ["bad JSON", ["call", "gw2", "status", "--params", "{nope"], 2, "usage_error", "INVALID_PARAMS"],
    ["params from a file", ["call", "gw2", "status", "--params", "@/etc/passwd"], 2, "usage_error", "INVALID_PARAMS"],
    ["bad timeout", ["status", "gw2", "--timeout", "soon"], 2, "usage_error", "INVALID_TIMEOUT"],
    ["missing secret", ["status", "ro"], 2, "gateway_credentials_required", "SECRET_UNAVAILABLE"],
    ["refused", ["status", "down"], 3, "gateway_transport_error", "ECONNREFUSED"],
    ["wrong token", ["status", "wrong"], 4, "gateway_request_error", undefined],
    ["unknown node", ["describe_node", "gw2", "no-such-node"], 1, "gateway_request_error", "INVALID_REQUEST"],
  ] as const)("%s", async (_label, argv, exitCode, type, code) => {
    const result = await runSkill(argv, _label === "missing secret" ? cleanEnv(dir) : env);
    expect(result.code).toBe(exitCode);
    const envelope = json<{ ok: boolean; error: { type: string; code: string; message: string } }>(result);
    expect(envelope.ok).toBe(false);
    expect(envelope.error.type).toBe(type);
    if (code !== undefined) expect(envelope.error.code).toBe(code);
    expect(envelope.error.message.length).toBeGreaterThan(0);
  });

  it.each([
    ["a 100 KB remote id", ["list_nodes", `g${"w".repeat(100_000)}`], "INVALID_REMOTE_ID"],
    ["a 100 KB remote id with bad characters", ["status", `/${"x".repeat(100_000)}`], "INVALID_REMOTE_ID"],
    ["a 100 KB unknown verb", [`v${"x".repeat(100_000)}`, "gw2"], "INVALID_ARGUMENTS"],
    ["a 100 KB unknown option", ["status", "gw2", `--${"x".repeat(100_000)}`], "INVALID_ARGUMENTS"],
    ["a 100 KB node command outside allowInvoke", ["invoke", "gw2", "n1", `c${"x".repeat(100_000)}`], "INVOKE_NOT_ALLOWED"],
    ["a 100 KB admin method", ["call", "gw2", `config.${"x".repeat(100_000)}`], "ADMIN_METHOD_REFUSED"],
  ] as const)("echoes %s clipped to 80 characters, not in full", async (_label, argv, code) => {
    const result = await runSkill(argv, env);
    expect(result.stdout.length).toBeLessThan(2_000);
    const envelope = json<{ error: { code: string; message: string } }>(result);
    expect(envelope.error.code).toBe(code);
    expect(envelope.error.message).toMatch(/…/);
  });

  it("states the remote id rule exactly as the profile schema does", async () => {
    const dotted = await runSkill(["list_nodes", ".hidden"], env);
    expect(dotted.code).toBe(2);
    const message = json<{ error: { code: string; message: string } }>(dotted).error;
    expect(message.code).toBe("INVALID_REMOTE_ID");
    expect(message.message).toContain("1-64");
    expect(message.message).toContain("starting with a letter or digit");
    expect(message.message).not.toContain("(letters, digits, . _ -)");
  });

  it("times out with exit 5 and says the request had been sent", async () => {
    gateway.faults.set("status", { drop: true, times: 1 });
    const result = await runSkill(["status", "gw2", "--timeout", "1500"], env);
    expect(result.code).toBe(5);
    expect(json(result)).toMatchObject({ ok: false, error: { type: "gateway_transport_error", code: "TIMEOUT", requestSent: true } });
  });
});

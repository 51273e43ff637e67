import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, cleanEnv, json, runSkill, tempDir, writeRemotes } from "./helpers/bins.js";
import { countingServer } from "./helpers/gateways.js";

let dir: string;
let cleanup: () => Promise<void>;
let server: Awaited<ReturnType<typeof countingServer>>;
let env: NodeJS.ProcessEnv;
/** The token command leaves this file behind if it ever runs: policy must refuse before secrets are resolved. */
let marker: string;

beforeAll(async () => {
  assertBuilt();
  ({ dir, cleanup } = await tempDir());
  server = await countingServer();
  marker = join(dir, "secret-command-ran");
  const script = join(dir, "token-command.mjs");
  await writeFile(script, `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(marker)}, "ran"); process.stdout.write("tok-0123456789");\n`);
  const auth = { tokenCommand: [process.execPath, script] };
  await writeRemotes(dir, {
    ro: { url: server.url, auth },
    inv: { url: server.url, auth, skill: { allowInvoke: ["canvas.snapshot"] } },
    raw: { url: server.url, auth, skill: { allowCall: true, allowInvoke: ["canvas.snapshot"] } },
    narrow: { url: server.url, auth, scopes: ["operator.read"] },
    rawnarrow: { url: server.url, auth, scopes: ["operator.read"], skill: { allowCall: true } },
    // No secret source: must not borrow WN1's ambient OPENCLAW_GATEWAY_TOKEN (its own gateway's secret).
    noauth: { url: server.url },
  });
  env = cleanEnv(dir);
});

afterAll(async () => {
  await server?.close();
  await cleanup?.();
});

describe("the skill's own policy is enforced locally: exit 6, nothing resolved, nothing connected", () => {
  it.each([
    ["invoke without any allowInvoke", ["invoke", "ro", "n1", "canvas.snapshot"], "INVOKE_NOT_ALLOWED"],
    ["invoke of a command outside allowInvoke", ["invoke", "inv", "n1", "system.run", "--params", '{"command":["id"]}'], "INVOKE_NOT_ALLOWED"],
    ["call without allowCall", ["call", "inv", "status"], "CALL_NOT_ALLOWED"],
    ["call of a message-injecting method", ["call", "raw", "chat.send", "--params", '{"sessionKey":"main","message":"hi"}'], "MESSAGE_METHOD_REFUSED"],
    ["call of agent", ["call", "raw", "agent", "--params", '{"message":"hi"}'], "MESSAGE_METHOD_REFUSED"],
    ["call of send (outbound channel message)", ["call", "raw", "send", "--params", '{"to":"+1555","message":"hi","idempotencyKey":"k"}'], "MESSAGE_METHOD_REFUSED"],
    ["call of poll", ["call", "raw", "poll", "--params", '{"to":"x","question":"q","options":["a","b"],"idempotencyKey":"k"}'], "MESSAGE_METHOD_REFUSED"],
    ["call of message.action", ["call", "raw", "message.action", "--params", '{"channel":"slack","action":"send","params":{},"idempotencyKey":"k"}'], "MESSAGE_METHOD_REFUSED"],
    ["call of chat.inject", ["call", "raw", "chat.inject", "--params", '{"sessionKey":"main","message":"hi"}'], "MESSAGE_METHOD_REFUSED"],
    ["call of wake", ["call", "raw", "wake", "--params", '{"mode":"now","text":"hi"}'], "MESSAGE_METHOD_REFUSED"],
    ["call of sessions.create with a message", ["call", "raw", "sessions.create", "--params", '{"message":"hi"}'], "MESSAGE_METHOD_REFUSED"],
    ["call of device.pair.approve (admin/approval, even with allowCall)", ["call", "raw", "device.pair.approve", "--params", '{"requestId":"x"}'], "ADMIN_METHOD_REFUSED"],
    ["call of node.pair.approve", ["call", "raw", "node.pair.approve", "--params", '{"requestId":"x"}'], "ADMIN_METHOD_REFUSED"],
    ["call of exec.approval.resolve", ["call", "raw", "exec.approval.resolve", "--params", '{"id":"x","decision":"allow-always"}'], "ADMIN_METHOD_REFUSED"],
    ["call of plugin.approval.resolve", ["call", "raw", "plugin.approval.resolve", "--params", '{"id":"x","decision":"allow-once"}'], "ADMIN_METHOD_REFUSED"],
    ["call of exec.approvals.set", ["call", "raw", "exec.approvals.set", "--params", '{"file":{}}'], "ADMIN_METHOD_REFUSED"],
    ["call of config.get", ["call", "raw", "config.get"], "ADMIN_METHOD_REFUSED"],
    ["call of secrets.resolve", ["call", "raw", "secrets.resolve"], "ADMIN_METHOD_REFUSED"],
    ["call of node.invoke around invoke's allowlist", ["call", "raw", "node.invoke", "--params", '{"nodeId":"n1","command":"system.run","idempotencyKey":"k"}'], "INVOKE_NOT_ALLOWED"],
  ] as const)("%s", async (_label, argv, code) => {
    const before = server.connections();
    const result = await runSkill(argv, env);
    expect(result.code).toBe(6);
    const envelope = json<{ ok: boolean; error: { type: string; code: string; message: string; details: Record<string, unknown> } }>(result);
    expect(envelope).toMatchObject({ ok: false, error: { type: "skill_policy_denied", code } });
    if (code === "ADMIN_METHOD_REFUSED") {
      expect(envelope.error.details).toMatchObject({ method: argv[2], pattern: expect.any(String), reason: expect.any(String) });
      expect(envelope.error.message).toContain(argv[2]);
    }
    if (code === "INVOKE_NOT_ALLOWED") expect(envelope.error.details["allowed"]).toEqual(argv[1] === "ro" ? [] : ["canvas.snapshot"]);
    expect(server.connections()).toBe(before);
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses a request beyond the profile's scope ceiling before connecting (exit 2)", async () => {
    const result = await runSkill(["pending_pairings", "narrow"], env);
    expect(result.code).toBe(2);
    expect(json(result)).toMatchObject({ ok: false, error: { type: "usage_error", code: "SCOPE_CEILING" } });
    const approvals = await runSkill(["pending_approvals", "narrow"], env);
    expect(approvals.code).toBe(2);
    expect(json(approvals)).toMatchObject({ ok: false, error: { code: "SCOPE_CEILING", message: expect.stringContaining("operator.approvals") } });
    expect(server.connections()).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it("says a raw call's method is unknown instead of listing the unclassified scopes (exit 2 UNKNOWN_METHOD)", async () => {
    const result = await runSkill(["call", "rawnarrow", "no.such.method"], env);
    expect(result.code).toBe(2);
    const envelope = json<{ error: { type: string; code: string; message: string } }>(result);
    expect(envelope.error).toMatchObject({ type: "usage_error", code: "UNKNOWN_METHOD" });
    expect(envelope.error.message).toMatch(/no\.such\.method is not a method/);
    expect(envelope.error.message).not.toContain("operator.admin");
    // A catalogue method beyond the ceiling keeps the ceiling's own error.
    const known = await runSkill(["call", "rawnarrow", "cron.add"], env);
    expect(known.code).toBe(2);
    expect(json(known)).toMatchObject({ error: { code: "SCOPE_CEILING" } });
    expect(server.connections()).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it("never falls back to the ambient OPENCLAW_GATEWAY_TOKEN: no credentials is exit 2 before connecting", async () => {
    const result = await runSkill(["status", "noauth"], { ...env, OPENCLAW_GATEWAY_TOKEN: "ambient-gw1-token-77", OPENCLAW_GATEWAY_PASSWORD: "ambient-pw-77" });
    expect(result.code).toBe(2);
    expect(json(result)).toMatchObject({ ok: false, error: { type: "gateway_credentials_required", code: "CREDENTIALS_REQUIRED" } });
    expect(result.stdout).not.toContain("ambient-gw1-token-77");
    expect(server.connections()).toBe(0);
  });

  it("does connect (and resolves the secret) for an allowed verb — the counters above can move", async () => {
    const result = await runSkill(["status", "ro", "--timeout", "2000"], env);
    expect(result.code).not.toBe(6);
    expect(server.connections()).toBeGreaterThan(0);
    expect(existsSync(marker)).toBe(true);
  });
});

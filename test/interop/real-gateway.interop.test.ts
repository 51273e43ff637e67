import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConnectParams, runFrameScript } from "./harness/frame-script.ts";
import type { FrameScriptResult } from "./harness/frame-script.ts";
import { startRealGateway } from "./harness/gateway.ts";
import type { RealGateway } from "./harness/gateway.ts";
import { runOpenClaw } from "./harness/openclaw-cli.ts";
import { isObject, RawWsClient } from "./harness/raw-client.ts";
import { OPENCLAW_VERSION } from "./harness/versions.ts";
import { HANDSHAKE_PARITY_CASES, WRONG_TOKEN } from "./parity/handshake-parity-cases.ts";

const TOKEN = `interop-token-${randomUUID()}`;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let gateway: RealGateway;

beforeAll(async () => {
  gateway = await startRealGateway({ auth: { token: TOKEN } });
  process.stderr.write(`[interop] real gateway ${gateway.url} ready in ${gateway.startMs} ms\n`);
});

afterAll(async () => {
  await gateway?.stop();
});

/** The parsed `res` frame with `id` from a script transcript (fails the test if absent). */
function responseOf(result: FrameScriptResult, id: string): Record<string, unknown> {
  const frame = result.transcript.find((f) => isObject(f.json) && f.json["type"] === "res" && f.json["id"] === id);
  expect(frame, `response ${id}`).toBeDefined();
  return frame?.json as Record<string, unknown>;
}

function payloadOf(frame: Record<string, unknown>): Record<string, unknown> {
  expect(isObject(frame["payload"])).toBe(true);
  return frame["payload"] as Record<string, unknown>;
}

function errorOf(frame: Record<string, unknown>): Record<string, unknown> {
  expect(frame["ok"]).toBe(false);
  expect(isObject(frame["error"])).toBe(true);
  return frame["error"] as Record<string, unknown>;
}

async function hello(clientId: string, clientMode: string, scopes: string[]): Promise<Record<string, unknown>> {
  const result = await runFrameScript(gateway.url, [
    { kind: "connect", id: "c1", params: buildConnectParams({ clientId, clientMode, scopes, auth: { token: TOKEN } }) },
    { kind: "expect-response", id: "c1" },
  ]);
  expect(result.outcomes).toEqual([{ type: "response", id: "c1", ok: true }]);
  return payloadOf(responseOf(result, "c1"));
}

describe("real OpenClaw gateway: handshake", () => {
  it("sends connect.challenge first, unprompted, without seq", async () => {
    const client = await RawWsClient.connect(gateway.url);
    try {
      const first = await client.waitFor(() => true, { timeoutMs: 5_000 });
      expect(first.index).toBe(0);
      const frame = first.json as Record<string, unknown>;
      expect(Object.keys(frame)).toEqual(["type", "event", "payload"]);
      expect(frame["type"]).toBe("event");
      expect(frame["event"]).toBe("connect.challenge");
      const payload = frame["payload"] as Record<string, unknown>;
      expect(Object.keys(payload)).toEqual(["nonce", "ts", "capabilities"]);
      expect(payload["nonce"]).toMatch(UUID_V4);
      expect(typeof payload["ts"]).toBe("number");
      expect(Math.abs((payload["ts"] as number) - first.receivedAtMs)).toBeLessThan(60_000);
      expect(payload["capabilities"]).toEqual(["model-catalog-snapshot"]);
    } finally {
      await client.close();
    }
  });

  it("answers cli/cli + token with hello-ok keeping the requested scopes", async () => {
    const payload = await hello("cli", "cli", ["operator.read"]);
    expect(payload["type"]).toBe("hello-ok");
    expect(payload["protocol"]).toBe(4);
    for (const key of ["server", "features", "snapshot", "auth", "policy"]) expect(payload).toHaveProperty(key);
    const server = payload["server"] as Record<string, unknown>;
    expect(server["version"]).toBe(OPENCLAW_VERSION);
    expect(server["connId"]).toMatch(UUID_V4);
    expect(server["controlUiBuildSource"]).toBe("bundled");
    expect(payload["auth"]).toEqual({ method: "token", role: "operator", scopes: ["operator.read"], recoveryScope: expect.any(String) });
    expect(payload["policy"]).toEqual({
      maxPayload: 26_214_400,
      maxBufferedBytes: 52_428_800,
      tickIntervalMs: 30_000,
      attachments: { maxBytes: 19_464_192, maxImageBytes: 6_291_456 },
      allowedSessionVisibilities: ["shared", "read-only", "suggest", "draft"],
      hasMultipleSessionSharingIdentities: false,
    });
    const features = payload["features"] as { methods: string[]; events: string[]; capabilities: string[] };
    expect(features.methods.length).toBe(466);
    expect(features.methods).toEqual(expect.arrayContaining(["health", "status", "node.list", "node.invoke", "system-presence"]));
    expect(features.methods).not.toContain("connect");
    expect(features.events.length).toBe(64);
    expect(features.events).toEqual(expect.arrayContaining(["connect.challenge", "tick", "health", "shutdown", "presence"]));
    expect(features.capabilities).toContain("profile-binding-v1");
    const snapshot = payload["snapshot"] as Record<string, unknown>;
    for (const key of ["presence", "health", "stateVersion", "uptimeMs", "sessionDefaults"]) expect(snapshot).toHaveProperty(key);
    // Admin-only snapshot fields are withheld from an operator.read socket.
    for (const key of ["configPath", "stateDir", "authMode"]) expect(snapshot).not.toHaveProperty(key);
  });

  it("adds configPath, stateDir and authMode to the snapshot for operator.admin", async () => {
    const payload = await hello("cli", "cli", ["operator.admin"]);
    expect((payload["auth"] as Record<string, unknown>)["scopes"]).toEqual(["operator.admin"]);
    const snapshot = payload["snapshot"] as Record<string, unknown>;
    expect(snapshot["configPath"]).toBe(gateway.configPath);
    expect(snapshot["stateDir"]).toBe(gateway.stateDir);
    expect(snapshot["authMode"]).toBe("token");
  });

  it("clears the scopes of a device-less test/test client (auth.scopes = [])", async () => {
    const payload = await hello("test", "test", ["operator.read", "operator.write"]);
    expect(payload["auth"]).toEqual({ method: "token", role: "operator", scopes: [], recoveryScope: expect.any(String) });
  });

  it("keeps the requested scopes of gateway-client/backend on loopback", async () => {
    const payload = await hello("gateway-client", "backend", ["operator.read", "operator.write"]);
    expect((payload["auth"] as Record<string, unknown>)["scopes"]).toEqual(["operator.read", "operator.write"]);
  });

  it("health {probe:true} from an operator.read socket broadcasts a health event (seq + stateVersion)", async () => {
    // A post-connect health broadcast happens at most once per 60 s, so it is not a per-connection
    // guarantee; a probing health call from a non-admin socket always commits and broadcasts.
    const result = await runFrameScript(gateway.url, [
      { kind: "connect", id: "c1", params: buildConnectParams({ scopes: ["operator.read"], auth: { token: TOKEN } }) },
      { kind: "expect-response", id: "c1" },
      { kind: "request", id: "h1", method: "health", params: { probe: true } },
      { kind: "expect-response", id: "h1" },
      { kind: "expect-event", event: "health", timeoutMs: 10_000 },
    ]);
    expect(result.outcomes).toEqual([
      { type: "response", id: "c1", ok: true },
      { type: "response", id: "h1", ok: true },
      { type: "event", event: "health", hasSeq: true },
    ]);
    const event = result.transcript.find((f) => isObject(f.json) && f.json["event"] === "health")?.json as Record<string, unknown>;
    expect(Object.keys(event)).toEqual(["type", "event", "payload", "seq", "stateVersion"]);
    expect(event["seq"]).toEqual(expect.any(Number));
    expect(event["stateVersion"]).toEqual({ presence: expect.any(Number), health: expect.any(Number) });
    expect((event["payload"] as Record<string, unknown>)["ok"]).toBe(true);
    const response = payloadOf(responseOf(result, "h1"));
    expect(response["ok"]).toBe(true);
    expect(response).toHaveProperty("modelRuntime");
  });
});

describe("real OpenClaw gateway: parity cases (outcomes the mock must reproduce)", () => {
  for (const parityCase of HANDSHAKE_PARITY_CASES) {
    it(parityCase.name, async () => {
      const result = await runFrameScript(gateway.url, parityCase.script(TOKEN));
      expect(result.outcomes).toEqual(parityCase.expected);
    });
  }
});

describe("real OpenClaw gateway: error details", () => {
  it("status from test/test: FORBIDDEN with MISSING_SCOPE details", async () => {
    const result = await runFrameScript(gateway.url, [
      { kind: "connect", id: "c1", params: buildConnectParams({ clientId: "test", clientMode: "test", scopes: ["operator.read"], auth: { token: TOKEN } }) },
      { kind: "expect-response", id: "c1" },
      { kind: "request", id: "s1", method: "status" },
      { kind: "expect-response", id: "s1" },
    ]);
    expect(errorOf(responseOf(result, "s1"))).toEqual({
      code: "FORBIDDEN",
      message: "missing scope: operator.read",
      details: { code: "MISSING_SCOPE", missingScope: "operator.read", requiredScopes: ["operator.read"] },
    });
  });

  it("exec.approval.list answers an array of pending approvals (none here), the shape the mock serves", async () => {
    const result = await runFrameScript(gateway.url, [
      { kind: "connect", id: "c1", params: buildConnectParams({ scopes: ["operator.approvals"], auth: { token: TOKEN } }) },
      { kind: "expect-response", id: "c1" },
      { kind: "request", id: "a1", method: "exec.approval.list", params: {} },
      { kind: "expect-response", id: "a1" },
    ]);
    expect(responseOf(result, "a1")).toMatchObject({ ok: true, payload: [] });
  });

  it("unknown method: FORBIDDEN operator.admin for non-admin, INVALID_REQUEST unknown method for admin", async () => {
    const script = (scopes: string[]) =>
      runFrameScript(gateway.url, [
        { kind: "connect", id: "c1", params: buildConnectParams({ scopes, auth: { token: TOKEN } }) },
        { kind: "expect-response", id: "c1" },
        { kind: "request", id: "u1", method: "nope.x" },
        { kind: "expect-response", id: "u1" },
      ]);
    expect(errorOf(responseOf(await script(["operator.read"]), "u1"))).toEqual({
      code: "FORBIDDEN",
      message: "missing scope: operator.admin",
      details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] },
    });
    expect(errorOf(responseOf(await script(["operator.admin"]), "u1"))).toEqual({ code: "INVALID_REQUEST", message: "unknown method: nope.x" });
  });

  it("wrong token: full error details and a close reason equal to the message", async () => {
    const result = await runFrameScript(gateway.url, [
      { kind: "connect", id: "c1", params: buildConnectParams({ scopes: ["operator.read"], auth: { token: WRONG_TOKEN } }) },
      { kind: "expect-response", id: "c1" },
      { kind: "expect-close" },
    ]);
    const error = errorOf(responseOf(result, "c1"));
    expect(error).toEqual({
      code: "INVALID_REQUEST",
      message: "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)",
      details: { code: "AUTH_TOKEN_MISMATCH", authReason: "token_mismatch", canRetryWithDeviceToken: false, recommendedNextStep: "update_auth_credentials" },
    });
    expect(result.close).toMatchObject({ code: 1008, reason: error["message"] });
  });

  it("protocol mismatch details", async () => {
    const result = await runFrameScript(gateway.url, [
      { kind: "connect", id: "c1", params: buildConnectParams({ minProtocol: 3, maxProtocol: 3, auth: { token: TOKEN } }) },
      { kind: "expect-response", id: "c1" },
    ]);
    expect(errorOf(responseOf(result, "c1"))).toEqual({
      code: "INVALID_REQUEST",
      message: "protocol mismatch",
      details: { code: "PROTOCOL_MISMATCH", clientMinProtocol: 3, clientMaxProtocol: 3, expectedProtocol: 4, minimumProbeProtocol: 3 },
    });
  });

  it("node.list {bogus:1}: invalid params message", async () => {
    const result = await runFrameScript(gateway.url, [
      { kind: "connect", id: "c1", params: buildConnectParams({ scopes: ["operator.read"], auth: { token: TOKEN } }) },
      { kind: "expect-response", id: "c1" },
      { kind: "request", id: "n1", method: "node.list", params: { bogus: 1 } },
      { kind: "expect-response", id: "n1" },
    ]);
    expect(errorOf(responseOf(result, "n1"))).toEqual({
      code: "INVALID_REQUEST",
      message: "invalid node.list params: at root: unexpected property 'bogus'",
    });
  });

  it("invalid request frames after hello: messages and the \"invalid\" id", async () => {
    const result = await runFrameScript(gateway.url, [
      { kind: "connect", id: "c1", params: buildConnectParams({ scopes: ["operator.read"], auth: { token: TOKEN } }) },
      { kind: "expect-response", id: "c1" },
      { kind: "send-json", frame: { type: "req", id: "x1", method: "health", extra: 1 } },
      { kind: "expect-response", id: "x1" },
      { kind: "send-json", frame: { type: "req", method: "health" } },
      { kind: "expect-response", id: "invalid" },
    ]);
    expect(errorOf(responseOf(result, "x1"))).toEqual({ code: "INVALID_REQUEST", message: "invalid request frame: at root: unexpected property 'extra'" });
    expect(errorOf(responseOf(result, "invalid"))).toEqual({ code: "INVALID_REQUEST", message: "invalid request frame: must have required property 'id'" });
  });

  it("control-UI-like clients without device identity are refused", async () => {
    const result = await runFrameScript(gateway.url, [
      { kind: "connect", id: "c1", params: buildConnectParams({ clientId: "openclaw-tui", clientMode: "ui", scopes: ["operator.read"], auth: { token: TOKEN } }) },
      { kind: "expect-response", id: "c1" },
      { kind: "expect-close" },
    ]);
    expect(errorOf(responseOf(result, "c1"))).toEqual({
      code: "INVALID_REQUEST",
      message: "control ui requires device identity (use HTTPS or localhost secure context)",
      details: { code: "CONTROL_UI_DEVICE_IDENTITY_REQUIRED" },
    });
    expect(result.close).toMatchObject({ code: 1008, reason: "control ui requires device identity (use HTTPS or localhost secure context)" });
  });
});

describe("real OpenClaw gateway: locality headers on a loopback socket", () => {
  const statusScript = (clientId: string, clientMode: string) => [
    { kind: "connect" as const, id: "c1", params: buildConnectParams({ clientId, clientMode, scopes: ["operator.read"], auth: { token: TOKEN } }) },
    { kind: "expect-response" as const, id: "c1" },
    { kind: "request" as const, id: "s1", method: "status" },
    { kind: "expect-response" as const, id: "s1" },
  ];

  it("a non-local Host header does not clear the scopes of cli/cli or gateway-client/backend", async () => {
    for (const [clientId, clientMode] of [["cli", "cli"], ["gateway-client", "backend"]] as const) {
      const result = await runFrameScript(gateway.url, statusScript(clientId, clientMode), { headers: { Host: "gw2.example.com" } });
      expect(result.outcomes).toEqual([
        { type: "response", id: "c1", ok: true },
        { type: "response", id: "s1", ok: true },
      ]);
    }
  });

  it("any Origin header (even the gateway's own loopback origin) clears the scopes to []", async () => {
    const result = await runFrameScript(gateway.url, statusScript("cli", "cli"), { headers: { Origin: gateway.httpUrl } });
    expect(result.outcomes).toEqual([
      { type: "response", id: "c1", ok: true },
      { type: "response", id: "s1", ok: false, errorCode: "FORBIDDEN", detailsCode: "MISSING_SCOPE" },
    ]);
    expect((payloadOf(responseOf(result, "c1"))["auth"] as Record<string, unknown>)["scopes"]).toEqual([]);
  });

  it("a foreign Origin is refused: CONTROL_UI_ORIGIN_NOT_ALLOWED, close 1008", async () => {
    const result = await runFrameScript(gateway.url, [...statusScript("cli", "cli").slice(0, 2), { kind: "expect-close" }], {
      headers: { Origin: "https://evil.example" },
    });
    const reason = "origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)";
    expect(result.outcomes).toEqual([
      { type: "response", id: "c1", ok: false, errorCode: "INVALID_REQUEST", detailsCode: "CONTROL_UI_ORIGIN_NOT_ALLOWED" },
      { type: "close", code: 1008, reason },
    ]);
    expect(errorOf(responseOf(result, "c1"))["message"]).toBe(reason);
  });

  it("X-Forwarded-For from an untrusted (loopback) proxy is rejected at the HTTP upgrade with 403", async () => {
    await expect(RawWsClient.connect(gateway.url, { headers: { "X-Forwarded-For": "203.0.113.9" } })).rejects.toThrow(/HTTP 403/);
  });
});

describe("real OpenClaw gateway: HTTP and CLI", () => {
  it("serves /healthz and /readyz on the same port", async () => {
    const health = await fetch(`${gateway.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, status: "live" });
    const ready = await fetch(`${gateway.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, failing: [] });
  });

  it("`openclaw gateway call health --json` exits 0 and prints the health payload (credentials via env)", async () => {
    const result = await runOpenClaw(["gateway", "call", "health", "--json"], { gateway, measureRss: true });
    process.stderr.write(`[interop] openclaw gateway call health: ${result.durationMs} ms, peak RSS ${result.peakRssKb ?? "?"} KiB\n`);
    expect(result.code, result.stderr).toBe(0);
    const payload = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(payload["ok"]).toBe(true);
    expect(payload).toHaveProperty("agents");
    expect(result.stdout).toBe(`${JSON.stringify(payload, null, 2)}\n`);
  });

  it("`openclaw gateway call nope.x --json` exits 1 with a gateway_request_error envelope on stdout", async () => {
    const result = await runOpenClaw(["gateway", "call", "nope.x", "--json"], { gateway });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      error: { type: "gateway_request_error", code: "INVALID_REQUEST", message: "unknown method: nope.x", retryable: false },
    });
  });
});

describe("real OpenClaw gateway: shutdown (runs last, stops the gateway)", () => {
  it("broadcasts shutdown, then closes every socket with 1012 service restart", async () => {
    const result = await runFrameScript(
      gateway.url,
      [
        { kind: "connect", id: "c1", params: buildConnectParams({ scopes: ["operator.read"], auth: { token: TOKEN } }) },
        { kind: "expect-response", id: "c1" },
      ],
      { keepOpen: true },
    );
    const { client } = result;
    const stopping = gateway.stop();
    const shutdown = await client.waitForEvent("shutdown", { timeoutMs: 20_000 });
    const closed = await client.waitForClose(20_000);
    await stopping;
    const frame = shutdown.json as Record<string, unknown>;
    expect(Object.keys(frame)).toEqual(["type", "event", "payload", "seq"]);
    expect(frame["payload"]).toEqual({ reason: "gateway stopping" });
    expect(closed).toMatchObject({ code: 1012, reason: "service restart" });
  });
});

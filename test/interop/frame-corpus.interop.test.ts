import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConnectParams, runFrameScript } from "./harness/frame-script.ts";
import type { FrameScriptStep } from "./harness/frame-script.ts";
import { captureMode, frameSignature, listFrameFixtures, readFrameFixture, writeFrameFixture } from "./harness/frame-fixtures.ts";
import { startRealGateway } from "./harness/gateway.ts";
import type { RealGateway } from "./harness/gateway.ts";
import { isObject, RawWsClient } from "./harness/raw-client.ts";
import { WRONG_TOKEN } from "./parity/handshake-parity-cases.ts";

/**
 * Captures real frames from a live gateway and either writes them as the contract corpus
 * (`CLAWBRIDGE_CAPTURE_FRAMES=1`) or checks that the stored corpus still matches what the
 * gateway sends (signature comparison: envelope keys, codes, messages, stable payload keys).
 */

const TOKEN = `interop-token-${randomUUID()}`;
let gateway: RealGateway;
/** An operator.read socket opened right after start; it collects tick and shutdown. */
let watcher: RawWsClient;
const captured = new Map<string, Record<string, unknown>>();

const cliRead = buildConnectParams({ scopes: ["operator.read"], auth: { token: TOKEN } });
const cliAdmin = buildConnectParams({ scopes: ["operator.admin"], auth: { token: TOKEN } });
const testClient = buildConnectParams({ clientId: "test", clientMode: "test", scopes: ["operator.read"], auth: { token: TOKEN } });

/** Fixture name -> script and the response id (or event name) whose frame is the fixture. */
const CAPTURES: ReadonlyArray<{ name: string; steps: FrameScriptStep[]; pick: { res: string } | { event: string } }> = [
  { name: "connect-challenge", steps: [{ kind: "expect-event", event: "connect.challenge" }], pick: { event: "connect.challenge" } },
  { name: "hello-ok-cli-operator-read", steps: [{ kind: "connect", id: "c1", params: cliRead }, { kind: "expect-response", id: "c1" }], pick: { res: "c1" } },
  { name: "hello-ok-cli-operator-admin", steps: [{ kind: "connect", id: "c1", params: cliAdmin }, { kind: "expect-response", id: "c1" }], pick: { res: "c1" } },
  { name: "hello-ok-test-client-no-scopes", steps: [{ kind: "connect", id: "c1", params: testClient }, { kind: "expect-response", id: "c1" }], pick: { res: "c1" } },
  ...(
    [
      ["res-health-ok", "health", {}],
      ["res-status-ok", "status", {}],
      ["res-node-list-ok", "node.list", {}],
      ["res-system-presence-ok", "system-presence", {}],
      ["res-error-unknown-method", "nope.x", {}],
      ["res-error-invalid-params-node-list", "node.list", { bogus: 1 }],
    ] as const
  ).map(([name, method, params]) => ({
    name,
    steps: [
      { kind: "connect", id: "c1", params: method === "nope.x" ? cliAdmin : cliRead },
      { kind: "expect-response", id: "c1" },
      { kind: "request", id: "r1", method, params },
      { kind: "expect-response", id: "r1" },
    ] satisfies FrameScriptStep[],
    pick: { res: "r1" },
  })),
  {
    name: "res-error-missing-scope-status",
    steps: [{ kind: "connect", id: "c1", params: testClient }, { kind: "expect-response", id: "c1" }, { kind: "request", id: "r1", method: "status" }, { kind: "expect-response", id: "r1" }],
    pick: { res: "r1" },
  },
  {
    name: "res-error-missing-scope-unknown-method",
    steps: [{ kind: "connect", id: "c1", params: cliRead }, { kind: "expect-response", id: "c1" }, { kind: "request", id: "r1", method: "nope.x" }, { kind: "expect-response", id: "r1" }],
    pick: { res: "r1" },
  },
  {
    name: "res-error-invalid-frame-extra-property",
    steps: [{ kind: "connect", id: "c1", params: cliRead }, { kind: "expect-response", id: "c1" }, { kind: "send-json", frame: { type: "req", id: "r1", method: "health", extra: 1 } }, { kind: "expect-response", id: "r1" }],
    pick: { res: "r1" },
  },
  {
    name: "res-error-invalid-frame-missing-id",
    steps: [{ kind: "connect", id: "c1", params: cliRead }, { kind: "expect-response", id: "c1" }, { kind: "send-json", frame: { type: "req", method: "health" } }, { kind: "expect-response", id: "invalid" }],
    pick: { res: "invalid" },
  },
  {
    name: "event-health",
    steps: [
      { kind: "connect", id: "c1", params: cliRead },
      { kind: "expect-response", id: "c1" },
      { kind: "request", id: "r1", method: "health", params: { probe: true } },
      { kind: "expect-event", event: "health" },
    ],
    pick: { event: "health" },
  },
  {
    name: "connect-error-token-mismatch",
    steps: [{ kind: "connect", id: "c1", params: buildConnectParams({ scopes: ["operator.read"], auth: { token: WRONG_TOKEN } }) }, { kind: "expect-response", id: "c1" }],
    pick: { res: "c1" },
  },
  {
    name: "connect-error-protocol-mismatch",
    steps: [{ kind: "connect", id: "c1", params: buildConnectParams({ minProtocol: 3, maxProtocol: 3, scopes: ["operator.read"], auth: { token: TOKEN } }) }, { kind: "expect-response", id: "c1" }],
    pick: { res: "c1" },
  },
  {
    name: "connect-error-first-request-not-connect",
    steps: [{ kind: "request", id: "r1", method: "health" }, { kind: "expect-response", id: "r1" }],
    pick: { res: "r1" },
  },
  {
    name: "connect-error-invalid-connect-params",
    steps: [{ kind: "connect", id: "c1", params: buildConnectParams({ clientId: "bogus", auth: { token: TOKEN } }) }, { kind: "expect-response", id: "c1" }],
    pick: { res: "c1" },
  },
  {
    name: "connect-error-invalid-role",
    steps: [{ kind: "connect", id: "c1", params: buildConnectParams({ role: "admin", auth: { token: TOKEN } }) }, { kind: "expect-response", id: "c1" }],
    pick: { res: "c1" },
  },
  {
    name: "connect-error-device-identity-required",
    steps: [{ kind: "connect", id: "c1", params: buildConnectParams({ scopes: ["operator.read"] }) }, { kind: "expect-response", id: "c1" }],
    pick: { res: "c1" },
  },
  {
    name: "connect-error-control-ui-device-identity-required",
    steps: [
      { kind: "connect", id: "c1", params: buildConnectParams({ clientId: "openclaw-tui", clientMode: "ui", scopes: ["operator.read"], auth: { token: TOKEN } }) },
      { kind: "expect-response", id: "c1" },
    ],
    pick: { res: "c1" },
  },
];

function pickFrame(transcript: readonly { json: unknown }[], pick: { res: string } | { event: string }): Record<string, unknown> | undefined {
  for (const frame of transcript) {
    if (!isObject(frame.json)) continue;
    if ("res" in pick && frame.json["type"] === "res" && frame.json["id"] === pick.res) return frame.json;
    if ("event" in pick && frame.json["type"] === "event" && frame.json["event"] === pick.event) return frame.json;
  }
  return undefined;
}

/** Writes (capture mode) or compares (default) one fixture. */
function checkOrCapture(name: string, frame: Record<string, unknown>): void {
  if (captureMode()) {
    writeFrameFixture(name, frame);
    return;
  }
  expect(frameSignature(frame), `fixture ${name}`).toEqual(frameSignature(readFrameFixture(name)));
}

beforeAll(async () => {
  gateway = await startRealGateway({ auth: { token: TOKEN } });
  watcher = await RawWsClient.connect(gateway.url);
  await watcher.waitForEvent("connect.challenge");
  watcher.sendJson({ type: "req", id: "w1", method: "connect", params: cliRead });
  const hello = await watcher.waitForResponse("w1");
  expect((hello.json as Record<string, unknown>)["ok"]).toBe(true);
  for (const capture of CAPTURES) {
    const result = await runFrameScript(gateway.url, capture.steps);
    const frame = pickFrame(result.transcript, capture.pick);
    if (frame !== undefined) captured.set(capture.name, frame);
  }
});

afterAll(async () => {
  await watcher?.close();
  await gateway?.stop();
});

describe("real frame corpus (test/interop/fixtures/real-frames)", () => {
  for (const { name } of CAPTURES) {
    it(`${name} matches the live gateway`, () => {
      const frame = captured.get(name);
      expect(frame, `no frame captured for ${name}`).toBeDefined();
      if (frame !== undefined) checkOrCapture(name, frame);
    });
  }

  it("event-tick: a tick arrives on an idle operator socket within 30 s (+5 s slack), with seq", async () => {
    const tick = await watcher.waitForEvent("tick", { timeoutMs: 40_000 });
    const frame = tick.json as Record<string, unknown>;
    expect(Object.keys(frame)).toEqual(["type", "event", "payload", "seq"]);
    expect(Object.keys(frame["payload"] as object)).toEqual(["ts"]);
    checkOrCapture("event-tick", frame);
  });

  it("watcher events carry a contiguous per-socket seq starting at 1", () => {
    const seqs = watcher.frames
      .map((f) => (isObject(f.json) && f.json["type"] === "event" ? f.json["seq"] : undefined))
      .filter((seq): seq is number => typeof seq === "number");
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it("event-shutdown: stopping the gateway broadcasts shutdown, then closes 1012", async () => {
    const stopping = gateway.stop();
    const shutdown = await watcher.waitForEvent("shutdown", { timeoutMs: 20_000 });
    const closed = await watcher.waitForClose(20_000);
    await stopping;
    expect(closed).toMatchObject({ code: 1012, reason: "service restart" });
    checkOrCapture("event-shutdown", shutdown.json as Record<string, unknown>);
  });

  it("the stored corpus holds exactly the captured fixtures (no stale files)", () => {
    const expected = [...CAPTURES.map((c) => c.name), "event-tick", "event-shutdown"].sort();
    expect(listFrameFixtures()).toEqual(expected);
  });
});

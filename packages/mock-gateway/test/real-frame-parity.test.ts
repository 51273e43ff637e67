import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { MockGateway } from "../src/index.js";
import { keyShape } from "./key-shape.js";

/**
 * Compares the mock's frames with frames recorded from a real openclaw@2026.9.6 gateway
 * by the interop harness (test/interop/fixtures/real-frames). Skipped when absent.
 */
const FIXTURES = join(import.meta.dirname, "../../../test/interop/fixtures/real-frames");
const available = existsSync(join(FIXTURES, "res-status-ok.json"));
const TOKEN = "parity-token";

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")) as Record<string, unknown>;
}

async function exchange(url: string, frames: unknown[], waitForId: string): Promise<Record<string, unknown>[]> {
  const socket = new WebSocket(url);
  const received: Record<string, unknown>[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on("message", (data: Buffer) => {
      const frame = JSON.parse(data.toString("utf8")) as Record<string, unknown>;
      received.push(frame);
      if (frame["type"] === "res" && frame["id"] === waitForId) resolve();
    });
    socket.on("open", () => frames.forEach((frame) => socket.send(JSON.stringify(frame))));
    socket.on("error", reject);
    socket.on("close", () => resolve());
  });
  socket.close();
  return received;
}

const connect = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: "req",
  id: "c1",
  method: "connect",
  params: {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "cli", version: "2026.9.6", platform: "linux", deviceFamily: "Linux", mode: "cli" },
    role: "operator",
    scopes: ["operator.read"],
    auth: { token: TOKEN },
    ...overrides,
  },
});

describe.skipIf(!available)("parity with recorded 2026.9.6 frames", () => {
  let gateway: MockGateway;
  beforeAll(async () => {
    gateway = new MockGateway({ auth: { token: TOKEN } });
    await gateway.start();
  });
  afterAll(async () => {
    await gateway.stop({ graceMs: 200 });
  });

  const errorCases: [string, Record<string, unknown>[]][] = [
    ["connect-error-invalid-role", [connect({ role: "admin" })]],
    ["connect-error-protocol-mismatch", [connect({ minProtocol: 3, maxProtocol: 3 })]],
    ["connect-error-token-mismatch", [connect({ auth: { token: "wrong" } })]],
    ["connect-error-device-identity-required", [connect({ auth: {} })]],
    [
      "connect-error-invalid-connect-params",
      [connect({ client: { id: "nope", version: "1", platform: "linux", mode: "cli" } })],
    ],
    [
      "connect-error-control-ui-device-identity-required",
      [connect({ client: { id: "openclaw-control-ui", version: "1", platform: "web", mode: "webchat" } })],
    ],
  ];
  for (const [name, frames] of errorCases) {
    it(`${name} matches exactly`, async () => {
      const received = await exchange(gateway.url, frames, "c1");
      expect(received.find((frame) => frame["id"] === "c1")).toEqual(fixture(name));
    });
  }

  it("first request not connect, post-hello frame and params errors match exactly", async () => {
    const notConnect = await exchange(gateway.url, [{ type: "req", id: "r1", method: "health" }], "r1");
    expect(notConnect.find((frame) => frame["id"] === "r1")).toEqual(fixture("connect-error-first-request-not-connect"));
    const post = await exchange(
      gateway.url,
      [
        connect(),
        { type: "req", id: "r1", method: "status", extra: 1 },
        { type: "req", method: "status" },
        { type: "req", id: "r2", method: "node.list", params: { bogus: 1 } },
      ],
      "r2",
    );
    expect(post.find((frame) => frame["id"] === "r1")).toEqual(fixture("res-error-invalid-frame-extra-property"));
    expect(post.find((frame) => frame["id"] === "invalid")).toEqual(fixture("res-error-invalid-frame-missing-id"));
    expect({ ...post.find((frame) => frame["id"] === "r2"), id: "r1" }).toEqual(fixture("res-error-invalid-params-node-list"));
  });

  /** hello-ok keys only the Control UI uses, which the mock does not model (bundled-plugin UI descriptors, canvas URL). */
  const UI_ONLY_HELLO_KEYS = new Set(["controlUiWidgetKinds", "controlUiLinkReaders", "pluginSurfaceUrls"]);
  /**
   * Payload paths whose keys are data (channel ids), not schema, or vary between samples of
   * the same gateway (`cpuBreakdown` gains worker/other-thread ratios only when they ran).
   */
  const OPAQUE = new Set([
    "channels",
    "channelLabels",
    "eventLoop.cpuBreakdown",
    "snapshot.health.channels",
    "snapshot.health.channelLabels",
    "snapshot.health.eventLoop.cpuBreakdown",
  ]);

  const helloCases: [string, Record<string, unknown>][] = [
    ["hello-ok-cli-operator-read", connect()],
    ["hello-ok-cli-operator-admin", connect({ scopes: ["operator.admin"] })],
    ["hello-ok-test-client-no-scopes", connect({ client: { id: "test", version: "0.0.0-interop", platform: "linux", mode: "test" } })],
  ];
  for (const [name, frame] of helloCases) {
    it(`${name}: the same keys at every level (snapshot, health, presence, auth, policy, features)`, async () => {
      const hello = (await exchange(gateway.url, [frame], "c1")).find((f) => f["id"] === "c1")?.["payload"] as Record<string, unknown>;
      const real = fixture(name)["payload"] as Record<string, unknown>;
      const withoutUi = (payload: Record<string, unknown>): Record<string, unknown> =>
        Object.fromEntries(Object.entries(payload).filter(([key]) => !UI_ONLY_HELLO_KEYS.has(key)));
      // features.methods differs in content (the mock serves a subset), so only its presence is compared here.
      const opaque = new Set([...OPAQUE, "features.methods", "features.events", "features.capabilities"]);
      expect(keyShape(withoutUi(hello), opaque)).toEqual(keyShape(withoutUi(real), opaque));
      expect(hello["policy"]).toEqual(real["policy"]);
      const features = hello["features"] as { methods: string[]; events: string[]; capabilities: string[] };
      const realFeatures = real["features"] as { methods: string[]; events: string[]; capabilities: string[] };
      expect(features.events).toEqual(realFeatures.events);
      expect(features.capabilities).toEqual(realFeatures.capabilities);
      // Every method the mock advertises is one a real gateway advertises too.
      expect(features.methods.filter((method) => !realFeatures.methods.includes(method))).toEqual([]);
    });
  }

  it("health, status, system-presence, node.list and the health event: the same keys at every level", async () => {
    const tester = await exchange(gateway.url, [connect({ client: { id: "test", version: "0.0.0-interop", platform: "linux", mode: "test" } })], "c1");
    expect(tester.find((f) => f["id"] === "c1")?.["ok"]).toBe(true);
    const received = await exchange(
      gateway.url,
      [
        connect(),
        { type: "req", id: "h", method: "health" },
        { type: "req", id: "s", method: "status" },
        { type: "req", id: "n", method: "node.list", params: {} },
        { type: "req", id: "p", method: "system-presence" },
      ],
      "p",
    );
    const payloadOf = (id: string): unknown => received.find((frame) => frame["id"] === id)?.["payload"];
    for (const [id, name] of [
      ["h", "res-health-ok"],
      ["s", "res-status-ok"],
      ["n", "res-node-list-ok"],
    ] as const) {
      expect(keyShape(payloadOf(id), OPAQUE), name).toEqual(keyShape(fixture(name)["payload"], OPAQUE));
    }
    // Presence: the gateway's own row, and a disconnected test client's row (cli sockets are never listed).
    const rows = payloadOf("p") as Record<string, unknown>[];
    const realRows = fixture("res-system-presence-ok")["payload"] as Record<string, unknown>[];
    const rowOf = (list: Record<string, unknown>[], predicate: (row: Record<string, unknown>) => boolean) => list.find(predicate);
    expect(keyShape(rowOf(rows, (row) => row["reason"] === "self"))).toEqual(keyShape(rowOf(realRows, (row) => row["reason"] === "self")));
    expect(keyShape(rowOf(rows, (row) => row["clientId"] === "test"))).toEqual(keyShape(rowOf(realRows, (row) => row["clientId"] === "test")));
    expect(rows.some((row) => row["clientId"] === "cli")).toBe(false);
    const healthEvent = received.find((frame) => frame["event"] === "health");
    const eventOpaque = new Set(["payload.channels", "payload.channelLabels", "payload.eventLoop.cpuBreakdown"]);
    expect(keyShape(healthEvent, eventOpaque)).toEqual(keyShape(fixture("event-health"), eventOpaque));
  });
});

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { MockGateway } from "../src/index.js";

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

function keys(value: unknown): string[] {
  return Object.keys(value as object).sort();
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

  it("hello-ok, health, status and presence carry the recorded keys", async () => {
    const received = await exchange(
      gateway.url,
      [
        connect(),
        { type: "req", id: "h", method: "health" },
        { type: "req", id: "s", method: "status" },
        { type: "req", id: "p", method: "system-presence" },
      ],
      "p",
    );
    const byId = (id: string): Record<string, unknown> => received.find((frame) => frame["id"] === id)?.["payload"] as Record<string, unknown>;
    const hello = byId("c1");
    const realHello = fixture("hello-ok-cli-operator-read")["payload"] as Record<string, unknown>;
    expect(keys(hello["policy"])).toEqual(keys(realHello["policy"]));
    expect(hello["policy"]).toEqual(realHello["policy"]);
    expect(keys(hello["auth"])).toEqual(keys(realHello["auth"]).filter((key) => key !== "recoveryScope"));
    const notModelled = new Set(["eventLoop"]);
    for (const [id, name] of [
      ["h", "res-health-ok"],
      ["s", "res-status-ok"],
    ] as const) {
      const real = keys(fixture(name)["payload"]).filter((key) => !notModelled.has(key));
      expect(keys(byId(id)), name).toEqual(expect.arrayContaining(real));
    }
    const realSelf = (fixture("res-system-presence-ok")["payload"] as Record<string, unknown>[])[0];
    const self = (byId("p") as unknown as Record<string, unknown>[])[0];
    expect(keys(self)).toEqual(expect.arrayContaining(keys(realSelf).filter((key) => key !== "deviceFamily" || process.platform === "linux")));
    const healthEvent = received.find((frame) => frame["event"] === "health");
    expect(keys(healthEvent)).toEqual(keys(fixture("event-health")));
  });
});

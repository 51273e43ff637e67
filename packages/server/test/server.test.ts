import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { gatewayError } from "@clawbridge/rpc-core";
import { canReceiveEvent } from "../src/index.js";
import type { ServerConnection } from "../src/index.js";
import { RawClient, connectParams, createDevice, handshake, signConnect, startGateway } from "./helpers.js";
import type { TestGateway } from "./helpers.js";

const auth = { token: "secret-token" };

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.server.close({ graceMs: 200 });
  gateway = undefined;
});

async function operator(url: string, scopes: string[]): Promise<RawClient> {
  const { client, response } = await handshake(url, () => connectParams({ auth, scopes }));
  expect(response["ok"]).toBe(true);
  return client;
}

async function nodeClient(url: string): Promise<RawClient> {
  const device = createDevice();
  const { client, response } = await handshake(url, (nonce) =>
    signConnect(
      device,
      connectParams({ auth, role: "node", scopes: [], client: { id: "node-host", version: "1", platform: "linux", mode: "node" } }),
      nonce,
    ),
  );
  expect(response["ok"], JSON.stringify(response["error"])).toBe(true);
  return client;
}

describe("authorization", () => {
  it("answers FORBIDDEN missing scope with structured details", async () => {
    gateway = await startGateway({ register: (s) => s.router.register("logs.tail", () => ({})) });
    const client = await operator(gateway.url, []);
    expect(await client.call("1", "status")).toEqual({
      type: "res",
      id: "1",
      ok: false,
      error: {
        code: "FORBIDDEN",
        message: "missing scope: operator.read",
        details: { code: "MISSING_SCOPE", missingScope: "operator.read", requiredScopes: ["operator.read"] },
      },
    });
    expect(await client.call("2", "health")).toMatchObject({ ok: true });
  });

  it("unknown methods need admin; admins get 'unknown method'", async () => {
    gateway = await startGateway();
    const reader = await operator(gateway.url, ["operator.read"]);
    expect((await reader.call("1", "nope.x"))["error"]).toMatchObject({
      code: "FORBIDDEN",
      message: "missing scope: operator.admin",
    });
    const admin = await operator(gateway.url, ["operator.admin"]);
    expect((await admin.call("1", "nope.x"))["error"]).toEqual({ code: "INVALID_REQUEST", message: "unknown method: nope.x" });
    // write implies read
    const writer = await operator(gateway.url, ["operator.write"]);
    expect((await writer.call("1", "status"))["ok"]).toBe(true);
  });

  it("role gate: a node calling node.list gets 'unauthorized role: node'; an operator calling node.event too", async () => {
    gateway = await startGateway();
    const node = await nodeClient(gateway.url);
    expect((await node.call("1", "node.list"))["error"]).toEqual({ code: "INVALID_REQUEST", message: "unauthorized role: node" });
    expect((await node.call("2", "node.event", {}))["ok"]).toBe(true);
    const op = await operator(gateway.url, ["operator.admin"]);
    expect((await op.call("1", "node.event"))["error"]).toEqual({ code: "INVALID_REQUEST", message: "unauthorized role: operator" });
  });

  it("closes 1008 after more than 10 consecutive unauthorized-role errors", async () => {
    gateway = await startGateway();
    const node = await nodeClient(gateway.url);
    for (let i = 0; i < 10; i += 1) expect((await node.call(`a${i}`, "node.list"))["ok"]).toBe(false);
    // A successful call resets the streak.
    expect((await node.call("ok", "node.event"))["ok"]).toBe(true);
    for (let i = 0; i < 10; i += 1) expect((await node.call(`b${i}`, "node.list"))["ok"]).toBe(false);
    expect(node.isClosed).toBe(false);
    expect((await node.call("b10", "node.list"))["error"]).toMatchObject({ message: "unauthorized role: node" });
    expect(await node.closed).toEqual({ code: 1008, reason: "repeated unauthorized calls" });
  });

  it("a handler that throws answers UNAVAILABLE with its message; gatewayError keeps its shape", async () => {
    gateway = await startGateway({
      register: (s) => {
        s.router.register("logs.tail", () => {
          throw new Error("disk on fire");
        });
        s.router.register("last-heartbeat", () => {
          throw gatewayError("INVALID_REQUEST", "bad thing", { code: "X" });
        });
      },
    });
    const client = await operator(gateway.url, ["operator.read"]);
    expect((await client.call("1", "logs.tail"))["error"]).toEqual({ code: "UNAVAILABLE", message: "disk on fire" });
    expect((await client.call("2", "last-heartbeat"))["error"]).toEqual({
      code: "INVALID_REQUEST",
      message: "bad thing",
      details: { code: "X" },
    });
  });
});

describe("bad frames after hello", () => {
  it("answers invalid request frames and keeps serving", async () => {
    gateway = await startGateway();
    const client = await operator(gateway.url, ["operator.read"]);
    client.send({ type: "req", id: "x1", method: "status", bogus: true });
    expect(await client.response("x1")).toEqual({
      type: "res",
      id: "x1",
      ok: false,
      error: { code: "INVALID_REQUEST", message: "invalid request frame: at root: unexpected property 'bogus'" },
    });
    client.send({ type: "req", method: "status" });
    const noId = await client.response("invalid");
    expect((noId["error"] as { message: string }).message).toMatch(/^invalid request frame: /);
    client.send({ type: "event", event: "hello" });
    expect((await client.response("invalid"))["ok"]).toBe(false);
    client.send({ type: "res", id: "r1", ok: true });
    expect((await client.response("r1"))["error"]).toMatchObject({ code: "INVALID_REQUEST" });
    client.send("[1,2");
    client.send("42");
    expect((await client.response("invalid"))["error"]).toMatchObject({ code: "INVALID_REQUEST" });
    expect(await client.call("ok", "status")).toMatchObject({ ok: true });
  });

  it("closes 1009 on a frame above maxPayload", async () => {
    gateway = await startGateway({ server: { maxPayloadBytes: 100_000 } });
    const client = await operator(gateway.url, ["operator.read"]);
    client.send({ type: "req", id: "big", method: "status", params: { pad: "x".repeat(150_000) } });
    expect((await client.closed).code).toBe(1009);
  });
});

describe("events", () => {
  it("numbers broadcast events per socket and applies the scope guards", async () => {
    gateway = await startGateway();
    const reader = await operator(gateway.url, ["operator.read"]);
    const none = await operator(gateway.url, []);
    const pairing = await operator(gateway.url, ["operator.pairing"]);
    const { server } = gateway;
    expect(server.broadcast("presence", { n: 1 })).toBe(1);
    expect(server.broadcast("health", { n: 2 })).toBe(3);
    expect(server.broadcast("device.pair.requested", { n: 3 })).toBe(1);
    expect(server.broadcast("made.up.event", {})).toBe(0);
    expect(server.broadcast("heartbeat", { n: 4 }, { filter: (c: ServerConnection) => c.scopes.length === 0 })).toBe(1);
    const readerEvents = [await reader.next((f) => f.type === "event"), await reader.next((f) => f.type === "event")];
    expect(readerEvents.map((f) => [f.event, f.seq])).toEqual([
      ["presence", 1],
      ["health", 2],
    ]);
    const noneEvents = [await none.next((f) => f.type === "event"), await none.next((f) => f.type === "event")];
    expect(noneEvents.map((f) => [f.event, f.seq])).toEqual([
      ["health", 1],
      ["heartbeat", 2],
    ]);
    const pairingEvents = [await pairing.next((f) => f.type === "event"), await pairing.next((f) => f.type === "event")];
    expect(pairingEvents.map((f) => [f.event, f.seq])).toEqual([
      ["health", 1],
      ["device.pair.requested", 2],
    ]);
  });

  it("event scope guard table", () => {
    expect(canReceiveEvent("node", [], "tick")).toBe(true);
    expect(canReceiveEvent("node", [], "presence")).toBe(false);
    expect(canReceiveEvent("operator", ["operator.write"], "presence")).toBe(true);
    expect(canReceiveEvent("operator", ["operator.admin"], "exec.approval.requested")).toBe(true);
    expect(canReceiveEvent("operator", ["operator.write"], "exec.approval.requested")).toBe(false);
    expect(canReceiveEvent("operator", ["operator.write"], "plugin.custom")).toBe(true);
    expect(canReceiveEvent("operator", ["operator.read"], "plugin.custom")).toBe(false);
    expect(canReceiveEvent("operator", ["operator.admin"], "unknown.event")).toBe(false);
  });

  it("sends ticks every tickIntervalMs with increasing seq, and advertises the interval", async () => {
    gateway = await startGateway({ server: { tickIntervalMs: 40 } });
    const { client, response } = await handshake(gateway.url, () => connectParams({ auth }));
    expect((response["payload"] as { policy: { tickIntervalMs: number } }).policy.tickIntervalMs).toBe(40);
    const ticks = [];
    for (let i = 0; i < 3; i += 1) ticks.push(await client.next((f) => f.event === "tick"));
    expect(ticks.map((t) => t.seq)).toEqual([1, 2, 3]);
    for (const tick of ticks) expect(Object.keys(tick["payload"] as object)).toEqual(["ts"]);
    gateway.server.setTicksEnabled(false);
    const count = client.frames.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(client.frames.filter((f) => f.event === "tick").length).toBeLessThanOrEqual(count);
    client.close();
  });

  it("close() broadcasts shutdown then closes every socket 1012 'service restart'", async () => {
    gateway = await startGateway();
    const client = await operator(gateway.url, []);
    const preHello = await RawClient.open(gateway.url);
    await gateway.server.close({ reason: "maintenance", restartExpectedMs: 5_000 });
    const shutdown = await client.next((f) => f.event === "shutdown");
    expect(shutdown).toEqual({ type: "event", event: "shutdown", payload: { reason: "maintenance", restartExpectedMs: 5_000 }, seq: 1 });
    expect(await client.closed).toEqual({ code: 1012, reason: "service restart" });
    expect(await preHello.closed).toEqual({ code: 1012, reason: "service restart" });
    gateway = undefined;
  });

  it("closes a slow consumer 1008 'slow consumer'", async () => {
    gateway = await startGateway({ server: { maxBufferedBytes: 256 * 1024 } });
    const client = await operator(gateway.url, ["operator.read"]);
    const disconnect = new Promise<{ code: number; reason: string }>((resolve) =>
      gateway!.server.onDisconnect((event) => resolve({ code: event.code, reason: event.reason })),
    );
    // Stop reading: the kernel buffers fill up, then ws buffers in user space.
    (client.socket as unknown as { _socket: import("node:net").Socket })._socket.pause();
    const chunk = "x".repeat(512 * 1024);
    for (let i = 0; i < 200 && gateway.server.connections.size > 0; i += 1) {
      gateway.server.broadcast("presence", { chunk });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await disconnect).toEqual({ code: 1008, reason: "slow consumer" });
    (client.socket as unknown as { _socket: import("node:net").Socket })._socket.resume();
    expect((await client.closed).code).toBe(1008);
  });
});

describe("keepalive and TLS", () => {
  it("terminates a socket that stops answering pings", async () => {
    gateway = await startGateway({ server: { keepaliveIntervalMs: 100 } });
    const client = await operator(gateway.url, []);
    const disconnect = new Promise<number>((resolve) => gateway!.server.onDisconnect((event) => resolve(event.code)));
    // Answering pings keeps it alive across several intervals.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gateway.server.connections.size).toBe(1);
    (client.socket as unknown as { _socket: import("node:net").Socket })._socket.pause();
    expect(await disconnect).toBe(1006);
  });
});

function selfSignedCert(): { key: string; cert: string } | undefined {
  try {
    const dir = mkdtempSync(join(tmpdir(), "clawbridge-tls-"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
        "-days", "1", "-subj", "/CN=localhost"],
      { stdio: "ignore" },
    );
    return { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
  } catch {
    return undefined;
  }
}

describe("TLS", () => {
  const tls = selfSignedCert();
  it.skipIf(tls === undefined)("listen({tls}) serves wss://", async () => {
    const { GatewayServer: Server, createGatewayAuthenticator } = await import("../src/index.js");
    const server = new Server({ authenticate: createGatewayAuthenticator({ sharedSecret: { mode: "token", token: "t" } }).authenticate });
    const { url } = await server.listen({ tls });
    try {
      expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
      const socket = new WebSocket(url, { rejectUnauthorized: false });
      const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
        socket.once("message", (data: Buffer) => resolve(JSON.parse(data.toString("utf8")) as Record<string, unknown>));
        socket.once("error", reject);
      });
      expect(first["event"]).toBe("connect.challenge");
      socket.close();
    } finally {
      await server.close({ graceMs: 200 });
    }
  });
});

describe("connect after hello", () => {
  it("is an admin-only method: FORBIDDEN without admin, INVALID_REQUEST for admins; never advertised", async () => {
    const gateway = await startGateway();
    try {
      for (const [scopes, expected] of [
        [["operator.read"], { code: "FORBIDDEN", details: { code: "MISSING_SCOPE", missingScope: "operator.admin" } }],
        [["operator.admin"], { code: "INVALID_REQUEST", message: "connect is only valid as the first request" }],
      ] as const) {
        const { client, response } = await handshake(gateway.url, () => connectParams({ scopes: [...scopes], auth: { token: "secret-token" } }));
        expect((response["payload"] as { features: { methods: string[] } }).features.methods).not.toContain("connect");
        const second = await client.call("c2", "connect", connectParams({ auth: { token: "secret-token" } }));
        expect(second["error"]).toMatchObject(expected);
        client.close();
      }
    } finally {
      await gateway.server.close({ graceMs: 200 });
    }
  });
});

describe("hello-ok.features.methods per connection", () => {
  it("calls `methods` with the connection being answered, so each client can get its own list", async () => {
    const gateway = await startGateway({
      server: { methods: (connection) => (connection.scopes.includes("operator.admin") ? ["health", "status"] : ["health"]) },
    });
    try {
      for (const [scopes, methods] of [
        [["operator.read"], ["health"]],
        [["operator.admin"], ["health", "status"]],
      ] as const) {
        const { client, response } = await handshake(gateway.url, () => connectParams({ scopes: [...scopes], auth: { token: "secret-token" } }));
        expect((response["payload"] as { features: { methods: string[] } }).features.methods).toEqual(methods);
        client.close();
      }
    } finally {
      await gateway.server.close({ graceMs: 200 });
    }
  });
});

describe("hello-ok.features.events and capabilities per connection", () => {
  it("calls `events` and `capabilities` with the connection being answered; undefined capabilities are omitted", async () => {
    const admin = (connection: { scopes: readonly string[] }): boolean => connection.scopes.includes("operator.admin");
    const gateway = await startGateway({
      server: {
        events: (connection) => (admin(connection) ? ["tick", "presence"] : ["tick"]),
        capabilities: (connection) => (admin(connection) ? ["tool-events"] : undefined),
      },
    });
    try {
      for (const [scopes, events, capabilities] of [
        [["operator.read"], ["tick"], undefined],
        [["operator.admin"], ["tick", "presence"], ["tool-events"]],
      ] as const) {
        const { client, response } = await handshake(gateway.url, () => connectParams({ scopes: [...scopes], auth: { token: "secret-token" } }));
        const features = (response["payload"] as { features: { events: string[]; capabilities?: string[] } }).features;
        expect(features.events).toEqual(events);
        expect(features.capabilities).toEqual(capabilities);
        expect("capabilities" in features).toBe(capabilities !== undefined);
        client.close();
      }
    } finally {
      await gateway.server.close({ graceMs: 200 });
    }
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { HelloOk } from "@clawbridge/protocol";
import { GatewayServer } from "../src/index.js";
import type { AuthOutcome } from "../src/index.js";
import { RawClient, connectParams, handshake, startGateway } from "./helpers.js";
import type { TestGateway } from "./helpers.js";

const TOKEN = { token: "secret-token" };

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.server.close({ graceMs: 200 });
  gateway = undefined;
});

describe("handshake", () => {
  it("sends connect.challenge first, then hello-ok with the connect id", async () => {
    gateway = await startGateway();
    const client = await RawClient.open(gateway.url);
    const challenge = await client.next();
    expect(challenge).toMatchObject({ type: "event", event: "connect.challenge" });
    expect(challenge).not.toHaveProperty("seq");
    const payload = challenge["payload"] as { nonce: string; ts: number; capabilities: string[] };
    expect(payload.nonce).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs(payload.ts - Date.now())).toBeLessThan(60_000);
    expect(payload.capabilities).toEqual(["model-catalog-snapshot"]);

    client.send({ type: "req", id: "1:abc", method: "connect", params: connectParams({ auth: TOKEN }) });
    const response = await client.response("1:abc");
    expect(response["ok"]).toBe(true);
    const hello = HelloOk.parse(response["payload"]);
    expect(hello.protocol).toBe(4);
    expect(hello.server.version).toBe("2026.9.6");
    expect(hello.server.connId).toMatch(/^[0-9a-f-]{36}$/);
    expect(hello.features.methods).toEqual(expect.arrayContaining(["health", "status"]));
    expect(hello.features.events).toHaveLength(64);
    expect(hello.policy).toEqual({ maxPayload: 26_214_400, maxBufferedBytes: 52_428_800, tickIntervalMs: 30_000 });
    expect(hello.auth).toEqual({ method: "token", role: "operator", scopes: ["operator.read"], recoveryScope: expect.any(String) });
    expect(hello.snapshot.stateVersion).toEqual({ presence: 0, health: 0 });
    // The socket now serves requests.
    expect(await client.call("2", "status")).toMatchObject({ ok: true, payload: { runtimeVersion: "test" } });
    client.close();
  });

  it("closes 1008 'invalid request frame' without an answer when the first frame is not a request", async () => {
    gateway = await startGateway();
    const client = await RawClient.open(gateway.url);
    await client.challenge();
    client.send({ type: "event", event: "hello" });
    expect(await client.closed).toEqual({ code: 1008, reason: "invalid request frame" });
    expect(client.frames.filter((f) => f.type === "res")).toHaveLength(0);
  });

  it("closes 1000 with no reason on unparsable JSON before hello (as OpenClaw)", async () => {
    gateway = await startGateway();
    const client = await RawClient.open(gateway.url);
    await client.challenge();
    client.send("{not json");
    expect(await client.closed).toEqual({ code: 1000, reason: "" });
  });

  it("rejects a first request that is not connect", async () => {
    gateway = await startGateway();
    const other = await RawClient.open(gateway.url);
    await other.challenge();
    other.send({ type: "req", id: "x", method: "health" });
    expect(await other.response("x")).toEqual({
      type: "res",
      id: "x",
      ok: false,
      error: { code: "INVALID_REQUEST", message: "invalid handshake: first request must be connect" },
    });
    expect(await other.closed).toEqual({ code: 1008, reason: "invalid handshake: first request must be connect" });
  });

  it("rejects invalid connect params with the validation text", async () => {
    gateway = await startGateway();
    const params = connectParams({ auth: TOKEN });
    const bad = { ...params, client: { ...params.client, id: "nope" } };
    const { client, response } = await handshake(gateway.url, () => bad);
    const error = response["error"] as { code: string; message: string };
    expect(error.code).toBe("INVALID_REQUEST");
    expect(error.message).toBe("invalid connect params: at /client/id: must be equal to one of the allowed values");
    const closed = await client.closed;
    expect(closed.code).toBe(1008);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
    expect(error.message.startsWith(closed.reason)).toBe(true);
  });

  it("rejects unknown top-level connect keys (closed schema)", async () => {
    gateway = await startGateway();
    const { client, response } = await handshake(gateway.url, () => ({ ...connectParams({ auth: TOKEN }), bogus: 1 }));
    expect(response["error"]).toEqual({
      code: "INVALID_REQUEST",
      message: "invalid connect params: at root: unexpected property 'bogus'",
    });
    expect((await client.closed).code).toBe(1008);
  });

  it("answers protocol mismatch with details and closes 1002", async () => {
    gateway = await startGateway();
    const { client, response } = await handshake(gateway.url, () =>
      connectParams({ auth: TOKEN, minProtocol: 3, maxProtocol: 3 }),
    );
    expect(response["error"]).toEqual({
      code: "INVALID_REQUEST",
      message: "protocol mismatch",
      details: {
        code: "PROTOCOL_MISMATCH",
        clientMinProtocol: 3,
        clientMaxProtocol: 3,
        expectedProtocol: 4,
        minimumProbeProtocol: 3,
      },
    });
    expect(await client.closed).toEqual({ code: 1002, reason: "protocol mismatch" });
  });

  it("admits a legacy v3 node past the protocol check", async () => {
    gateway = await startGateway();
    const params = connectParams({
      auth: TOKEN,
      minProtocol: 3,
      maxProtocol: 3,
      role: "node",
      scopes: [],
      client: { id: "node-host", version: "1", platform: "linux", mode: "node" },
    });
    const { client, response } = await handshake(gateway.url, () => params);
    // Past admission, it fails on the missing device identity instead.
    expect((response["error"] as { message: string }).message).toBe("device identity required");
    client.close();
  });

  it("rejects roles other than operator/node", async () => {
    gateway = await startGateway();
    const { client, response } = await handshake(gateway.url, () => connectParams({ auth: TOKEN, role: "admin" }));
    expect(response["error"]).toEqual({ code: "INVALID_REQUEST", message: "invalid role" });
    expect(await client.closed).toEqual({ code: 1008, reason: "invalid role" });
  });

  it("closes a worker identity claim 1008 'invalid-handshake' without an answer", async () => {
    gateway = await startGateway();
    const client = await RawClient.open(gateway.url);
    await client.challenge();
    client.send({ type: "req", id: "w", method: "connect", params: { ...connectParams(), role: "worker" } });
    expect(await client.closed).toEqual({ code: 1008, reason: "invalid-handshake" });
    expect(client.frames.filter((f) => f.type === "res")).toHaveLength(0);
  });

  it("closes 1009 with an empty reason on a pre-auth frame over 64 KiB (as observed on 2026.9.6)", async () => {
    gateway = await startGateway();
    const client = await RawClient.open(gateway.url);
    await client.challenge();
    client.send({ type: "req", id: "big", method: "connect", params: { pad: "x".repeat(70_000) } });
    expect(await client.closed).toEqual({ code: 1009, reason: "" });
    expect(client.frames.filter((f) => f.type === "res")).toHaveLength(0);
  });

  it("accepts a pre-auth frame of exactly 64 KiB and frames up to maxPayload after hello", async () => {
    gateway = await startGateway();
    const exact = await RawClient.open(gateway.url);
    await exact.challenge();
    // 65 536 bytes of non-JSON: passes the size cap, then closes 1000 as unparsable.
    exact.send("x".repeat(65_536));
    expect(await exact.closed).toEqual({ code: 1000, reason: "" });
    const client = await RawClient.open(gateway.url);
    await client.challenge();
    client.send({ type: "req", id: "c1", method: "connect", params: connectParams({ auth: { token: "secret-token" } }) });
    expect((await client.next((f) => f.id === "c1"))["ok"]).toBe(true);
    client.send({ type: "req", id: "h1", method: "health", params: { pad: "y".repeat(200_000) } });
    expect((await client.next((f) => f.id === "h1"))["type"]).toBe("res");
  });

  it("closes 1000 with an empty reason when no hello happens before the deadline", async () => {
    gateway = await startGateway({ server: { handshakeTimeoutMs: 150 } });
    const client = await RawClient.open(gateway.url);
    await client.challenge();
    expect(await client.closed).toEqual({ code: 1000, reason: "" });
  });

  it("queues up to 15 frames while connect is processed and serves them after hello", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = new GatewayServer({
      authenticate: async (): Promise<AuthOutcome> => {
        await gate;
        return { ok: true, role: "operator", scopes: ["operator.read"], method: "token" };
      },
    });
    server.router.register("status", ({ id }) => ({ id }));
    const { url } = await server.listen();
    gateway = { server, url, pairing: undefined as never };
    const client = await RawClient.open(url);
    await client.challenge();
    client.send({ type: "req", id: "c", method: "connect", params: connectParams() });
    for (let i = 0; i < 15; i += 1) client.send({ type: "req", id: `q${i}`, method: "status" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    expect((await client.response("c"))["ok"]).toBe(true);
    for (let i = 0; i < 15; i += 1) expect(await client.response(`q${i}`)).toMatchObject({ ok: true, payload: { id: `q${i}` } });
    client.close();
  });

  it("closes 1008 on the 16th frame queued behind connect", async () => {
    const server = new GatewayServer({
      authenticate: () => new Promise<AuthOutcome>(() => undefined),
    });
    const { url } = await server.listen();
    gateway = { server, url, pairing: undefined as never };
    const client = await RawClient.open(url);
    await client.challenge();
    client.send({ type: "req", id: "c", method: "connect", params: connectParams() });
    for (let i = 0; i < 16; i += 1) client.send({ type: "req", id: `q${i}`, method: "status" });
    expect(await client.closed).toEqual({ code: 1008, reason: "too many pending handshake frames" });
  });

  it("attaches to a caller's HTTP server", async () => {
    const { createServer } = await import("node:http");
    const http = createServer((_req, res) => res.end("plain"));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const port = (http.address() as import("node:net").AddressInfo).port;
    const { GatewayServer: Server, createGatewayAuthenticator } = await import("../src/index.js");
    const server = new Server({ authenticate: createGatewayAuthenticator({ sharedSecret: { mode: "token", token: "t" } }).authenticate });
    server.attach(http);
    try {
      const { client, response } = await handshake(`ws://127.0.0.1:${port}/any/path`, () => connectParams({ auth: { token: "t" } }));
      expect(response["ok"]).toBe(true);
      client.close();
    } finally {
      await server.close({ graceMs: 200 });
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });
});

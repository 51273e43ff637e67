import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GatewayClient, HandshakeProtocolError, HandshakeTimeoutError } from "../src/index.js";
import type { EventGap, GatewayEvent } from "../src/index.js";
import { startScriptedGateway } from "./helpers/scripted-gateway.js";
import type { ScriptedGateway, ScriptedSocket } from "./helpers/scripted-gateway.js";
import { tempConfigDir, waitFor } from "./helpers/temp-config.js";

describe("handshake state machine (scripted gateway)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gateway: ScriptedGateway | undefined;
  const clients: GatewayClient[] = [];
  const make = (options: ConstructorParameters<typeof GatewayClient>[0] = {}): GatewayClient => {
    const client = new GatewayClient({ url: gateway?.url, token: "tok-scripted-1", configDir: dir, ...options });
    clients.push(client);
    return client;
  };
  /** Starts the gateway; `accepted()` resolves with the first accepted socket. */
  const serve = async (script: (socket: ScriptedSocket) => void | Promise<void>): Promise<{ accepted: () => Promise<ScriptedSocket> }> => {
    let accept: (socket: ScriptedSocket) => void = () => undefined;
    const accepted = new Promise<ScriptedSocket>((resolve) => {
      accept = resolve;
    });
    gateway = await startScriptedGateway(async (socket) => {
      accept(socket);
      await script(socket);
    });
    return { accepted: () => accepted };
  };
  beforeEach(async () => {
    ({ dir, cleanup } = await tempConfigDir());
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await gateway?.stop();
    gateway = undefined;
    await cleanup();
  });

  it("no challenge: HandshakeTimeoutError and close 1008 'connect challenge timeout'", async () => {
    const { accepted } = await serve(() => undefined);
    const client = make({ challengeTimeoutMs: 100 });
    const error = await client.connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HandshakeTimeoutError);
    expect(error).toMatchObject({ phase: "challenge", timeoutMs: 100, code: "CONNECT_CHALLENGE_TIMEOUT" });
    expect(await (await accepted()).closed).toEqual({ code: 1008, reason: "connect challenge timeout" });
  });

  it("challenge without nonce: close 1008 'connect challenge missing nonce'", async () => {
    const { accepted } = await serve((socket) => {
      socket.challenge({ nonce: "  " });
    });
    const error = await make().connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HandshakeProtocolError);
    expect(await (await accepted()).closed).toEqual({ code: 1008, reason: "connect challenge missing nonce" });
  });

  it("challenge with an invalid ts is refused when a device proof must be signed", async () => {
    await serve((socket) => {
      socket.challenge({ ts: -5 });
    });
    const error = await make({ device: "always" }).connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HandshakeProtocolError);
    expect((error as Error).message).toBe("gateway connect challenge timestamp invalid");
  });

  it("connect is the first frame, id '1:<uuid>'; no hello: close 4000 'connect timeout'", async () => {
    let firstFrame: Record<string, unknown> | undefined;
    const { accepted } = await serve(async (socket) => {
      socket.challenge();
      firstFrame = await socket.next();
    });
    const error = await make({ helloTimeoutMs: 100 }).connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HandshakeTimeoutError);
    expect(error).toMatchObject({ phase: "hello", code: "CONNECT_TIMEOUT" });
    expect(await (await accepted()).closed).toEqual({ code: 4000, reason: "connect timeout" });
    expect(firstFrame).toMatchObject({ type: "req", method: "connect" });
    expect(String(firstFrame?.["id"])).toMatch(/^1:[0-9a-f-]{36}$/);
  });

  it("an invalid hello-ok is refused (close 1002) with a body-free message", async () => {
    const { accepted } = await serve(async (socket) => {
      socket.challenge();
      const connect = await socket.next();
      socket.helloOk(String(connect["id"]), { auth: { role: "operator" }, policy: { maxPayload: "big" } });
    });
    const error = await make().connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HandshakeProtocolError);
    expect((error as Error).message).toMatch(/invalid hello-ok: .*scopes/);
    expect((await (await accepted()).closed).code).toBe(1002);
  });

  it("delivers events (challenge excluded) and reports seq gaps without closing", async () => {
    const { accepted } = await serve(async (socket) => {
      socket.challenge();
      const connect = await socket.next();
      socket.helloOk(String(connect["id"]));
      for (const seq of [1, 2, 5]) socket.send({ type: "event", event: "tick", payload: { ts: seq }, seq });
      socket.send({ type: "event", event: "node.invoke.request", payload: { id: "x" } });
      socket.send({ type: "event", event: "presence", payload: [], seq: 6, stateVersion: { presence: 1, health: 0 } });
    });
    const client = make();
    const all: GatewayEvent[] = [];
    const ticks: GatewayEvent[] = [];
    const gaps: EventGap[] = [];
    client.events.onAny((event) => all.push(event));
    const offTick = client.events.on("tick", (event) => ticks.push(event));
    client.events.onGap((gap) => gaps.push(gap));
    const presence = client.events.next("presence");
    await client.connect();
    expect((await presence).stateVersion).toEqual({ presence: 1, health: 0 });
    expect(all.map((e) => e.event)).toEqual(["tick", "tick", "tick", "node.invoke.request", "presence"]);
    expect(ticks.map((e) => e.seq)).toEqual([1, 2, 5]);
    expect(all[3]?.seq).toBeUndefined();
    expect(gaps).toEqual([{ expected: 3, received: 5, event: "tick" }]);
    offTick();
    expect(client.state).toBe("open");
    await accepted();
  });

  it("close() terminates the socket 250 ms after the close frame when the server never answers it", async () => {
    const { accepted } = await serve(async (socket) => {
      socket.challenge();
      const connect = await socket.next();
      socket.helloOk(String(connect["id"]));
    });
    const client = make();
    await client.connect();
    const server = await accepted();
    // The server stops reading: the client's close frame is never answered.
    (server.raw as unknown as { _socket: { pause(): void } })._socket.pause();
    const started = Date.now();
    await client.close();
    // Generous bound: without the forced terminate this would take ws's 30 s close timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
    await waitFor(() => client.state === "closed", 1_000, "closed");
  });

  it("a connect rejection closes the socket 1008 'connect failed' and maps to ConnectRejectedError", async () => {
    const { accepted } = await serve(async (socket) => {
      socket.challenge();
      const connect = await socket.next();
      socket.send({
        type: "res",
        id: connect["id"],
        ok: false,
        error: { code: "UNAVAILABLE", message: "gateway starting; retry shortly", retryable: true, retryAfterMs: 500, details: { reason: "startup-sidecars" } },
      });
    });
    const error = await make().connect().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "ConnectRejectedError", code: "UNAVAILABLE", retryable: true, retryAfterMs: 500 });
    expect(await (await accepted()).closed).toEqual({ code: 1008, reason: "connect failed" });
  });
});

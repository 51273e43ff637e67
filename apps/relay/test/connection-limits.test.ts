import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { join } from "node:path";
import { ConnectRejectedError } from "@clawbridge/client";
import type { MockGateway } from "@clawbridge/mock-gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { RELAY_POLICY_DENIED } from "../src/policy/policy-denial.js";
import { hashToken, metricsText, newToken, relayClient, relayYaml, sample, startRelay, startUpstream, tempDir, waitFor, writeSecret } from "./helpers/harness.js";
import type { TestRelay } from "./helpers/harness.js";
import { connectParams, rawConnect } from "./helpers/raw-client.js";
import type { RawClient } from "./helpers/raw-client.js";

const UPSTREAM_TOKEN = newToken();
const TOKEN_A = newToken();
const TOKEN_B = newToken();
const TOKEN_C = newToken();

/** A `connect` the relay is expected to refuse: its answer and the close that follows. */
async function refusedConnect(url: string, token: string): Promise<{ res: Record<string, unknown>; close: { code: number; reason: string } }> {
  const socket = new WebSocket(url);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const res = new Promise<Record<string, unknown>>((resolve) =>
    socket.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      if (frame["type"] === "res") resolve(frame);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  socket.send(JSON.stringify({ type: "req", id: "c1", method: "connect", params: connectParams(token) }));
  return { res: await res, close: await closed };
}

/** One masked client frame (RFC 6455 §5.2), for writing several frames in one TCP write. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, index) => byte ^ (mask[index % 4] as number)));
  const length =
    payload.length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | payload.length])
      : Buffer.from([0x80 | opcode, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([length, mask, masked]);
}

/**
 * Upgrades by hand, then sends `connect` and a close frame in **one** write: the relay
 * admits the connect (taking a slot) and sees the socket closing before it can answer
 * `hello-ok`. Resolves when the relay has closed the socket.
 */
async function connectAndVanish(port: number, token: string): Promise<void> {
  const socket = tcpConnect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => undefined);
  socket.write(
    "GET /gw/gw2 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let received = "";
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      received += chunk.toString("latin1");
      // The 101 and the challenge: the relay now waits for `connect`.
      if (received.includes("connect.challenge")) {
        socket.off("data", onData);
        resolve();
      }
    };
    socket.on("data", onData);
  });
  const connect = Buffer.from(JSON.stringify({ type: "req", id: "c1", method: "connect", params: connectParams(token) }));
  socket.write(Buffer.concat([clientFrame(0x1, connect), clientFrame(0x8, Buffer.from([0x03, 0xe8]))]));
  await ended;
}

describe("per-client maxConnections", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gateway: MockGateway;
  let relay: TestRelay;
  const open: RawClient[] = [];
  let bConnection: RawClient | undefined;
  const clients = (caps: { a: number; c?: number }): string => `  a:
    tokenSha256: ${hashToken(TOKEN_A)}
    upstreams: [gw2]
    allow: [health]
    maxConnections: ${caps.a}
  b:
    tokenSha256: ${hashToken(TOKEN_B)}
    upstreams: [gw2]
    allow: [health]
  c:
    tokenSha256: ${hashToken(TOKEN_C)}
    upstreams: [gw2]
    allow: [health]
    maxConnections: ${caps.c ?? 1}
`;
  // b inherits defaults.maxConnections.
  const yaml = (body: string): string =>
    relayYaml({
      stateDir: join(dir, "state"),
      extra: "defaults: { maxConnections: 1 }",
      upstreams: { gw2: { url: gateway.url, tokenFile: join(dir, "gw2.token") } },
      clients: body,
    });
  const reload = async (body: string): Promise<void> => {
    await writeFile(join(dir, "relay.yaml"), yaml(body));
    expect((await relay.relay.reload()).ok).toBe(true);
  };
  const connectRaw = async (token: string): Promise<RawClient> => {
    const client = await rawConnect(relay.url("/gw/gw2"), token);
    open.push(client);
    return client;
  };
  const closeRaw = async (client: RawClient): Promise<void> => {
    client.socket.close();
    await client.closed;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    gateway = await startUpstream(UPSTREAM_TOKEN);
    await writeSecret(join(dir, "gw2.token"), UPSTREAM_TOKEN);
    relay = await startRelay(dir, yaml(clients({ a: 2 })));
  });
  afterAll(async () => {
    for (const client of open) client.socket.terminate();
    await relay?.close();
    await gateway?.stop();
    await cleanup?.();
  });

  it("refuses the connect beyond the cap (INVALID_REQUEST, RELAY_POLICY_DENIED rule maxConnections, retryable, 1008), counts and audits it", async () => {
    const before = await metricsText(relay);
    const first = await connectRaw(TOKEN_A);
    await connectRaw(TOKEN_A);
    expect(relay.relay.connectionsOf("a")).toBe(2);

    const refused = await refusedConnect(relay.url("/gw/gw2"), TOKEN_A);
    expect(refused.res).toMatchObject({
      ok: false,
      error: {
        code: "INVALID_REQUEST",
        retryable: true,
        details: { code: RELAY_POLICY_DENIED, rule: "maxConnections", maxConnections: 2 },
      },
    });
    expect(refused.close.code).toBe(1008);
    expect(refused.close.reason).toContain("maxConnections");

    // What a GatewayClient (and so the clawbridge CLI, exit 6) makes of it.
    const client = relayClient(relay.url("/"), TOKEN_A, dir);
    const error = await client.connect().catch((caught: unknown) => caught);
    await client.close();
    expect(error).toBeInstanceOf(ConnectRejectedError);
    expect(error).toMatchObject({ code: "INVALID_REQUEST", detailCode: RELAY_POLICY_DENIED, retryable: true });

    const after = await metricsText(relay);
    const denials = (text: string): number => sample(text, "clawbridge_relay_policy_denials_total", { rule: "maxConnections", client: "a" });
    expect(denials(after) - denials(before)).toBe(2);
    const rejected = (text: string): number => sample(text, "clawbridge_relay_client_handshakes_total", { outcome: "rejected" });
    expect(rejected(after) - rejected(before)).toBe(2);
    expect(relay.audit.find({ event: "connect", decision: "deny", reason: "maxConnections", client: "a" })).toHaveLength(2);
    expect(relay.audit.find({ event: "connect", decision: "deny", reason: "maxConnections" }).at(-1)).toMatchObject({ upstream: "gw2" });

    // The connections that hold the slots are untouched.
    expect(await first.request("h1", "health", {})).toMatchObject({ ok: true });
    expect(relay.relay.connectionsOf("a")).toBe(2);
  });

  it("a closed connection frees its slot", async () => {
    const [first] = open.splice(0, 1);
    await closeRaw(first as RawClient);
    await waitFor(() => relay.relay.connectionsOf("a") === 1, 5_000, "slot freed");
    const again = await connectRaw(TOKEN_A);
    expect(await again.request("h1", "health", {})).toMatchObject({ ok: true });
    expect((await refusedConnect(relay.url("/gw/gw2"), TOKEN_A)).res).toMatchObject({ ok: false, error: { details: { rule: "maxConnections" } } });
  });

  it("caps are per client: a full client does not block another, which has its own (inherited from defaults) cap", async () => {
    expect(relay.relay.connectionsOf("a")).toBe(2);
    const b = await connectRaw(TOKEN_B);
    bConnection = b;
    expect(await b.request("h1", "health", {})).toMatchObject({ ok: true });
    const refused = await refusedConnect(relay.url("/gw/gw2"), TOKEN_B);
    expect(refused.res).toMatchObject({ ok: false, error: { details: { rule: "maxConnections", maxConnections: 1 } } });
    expect(relay.audit.find({ event: "connect", decision: "deny", reason: "maxConnections", client: "b" })).toHaveLength(1);
    expect(relay.relay.connectionsOf("a")).toBe(2);
    expect(relay.relay.connectionsOf("b")).toBe(1);
  });

  it("reload: a changed cap applies to new connections and never kicks open ones", async () => {
    const mine = open.filter((client) => client.socket.readyState === WebSocket.OPEN).slice(0, 2);
    expect(relay.relay.connectionsOf("a")).toBe(2);
    await reload(clients({ a: 1 }));
    // Both stay open and usable, over the new cap.
    for (const client of mine) expect(await client.request("r1", "health", {})).toMatchObject({ ok: true });
    expect(relay.relay.connectionsOf("a")).toBe(2);
    expect((await refusedConnect(relay.url("/gw/gw2"), TOKEN_A)).res).toMatchObject({
      ok: false,
      error: { details: { rule: "maxConnections", maxConnections: 1 } },
    });

    await reload(clients({ a: 4 }));
    const third = await connectRaw(TOKEN_A);
    const fourth = await connectRaw(TOKEN_A);
    expect(await fourth.request("r2", "health", {})).toMatchObject({ ok: true });
    expect(relay.relay.connectionsOf("a")).toBe(4);
    expect((await refusedConnect(relay.url("/gw/gw2"), TOKEN_A)).res).toMatchObject({
      ok: false,
      error: { details: { rule: "maxConnections", maxConnections: 4 } },
    });
    await closeRaw(third);
    await closeRaw(fourth);
    await waitFor(() => relay.relay.connectionsOf("a") === 2, 5_000, "slots freed");
  });

  it("reload removing a client gives its slots back when its connections are closed 4001", async () => {
    expect(relay.relay.connectionsOf("b")).toBe(1);
    const body = clients({ a: 4 });
    await reload(body.slice(0, body.indexOf("  b:")) + body.slice(body.indexOf("  c:")));
    expect(await bConnection?.closed).toEqual({ code: 4001, reason: "client invalidated: removed from relay config" });
    await waitFor(() => relay.relay.connectionsOf("b") === 0, 5_000, "b's slot freed");
    await reload(body);
    const back = await connectRaw(TOKEN_B);
    expect(await back.request("h1", "health", {})).toMatchObject({ ok: true });
  });

  it("a socket that closes between its admitted connect and hello-ok holds no slot", async () => {
    expect(relay.relay.connectionsOf("c")).toBe(0);
    const accepted = (text: string): number => sample(text, "clawbridge_relay_client_handshakes_total", { outcome: "accepted" });
    const before = accepted(await metricsText(relay));
    await connectAndVanish(relay.relay.port, TOKEN_C);
    expect(accepted(await metricsText(relay))).toBe(before);
    await waitFor(() => relay.relay.connectionsOf("c") === 0, 1_000, "c's reserved slot given back");
    const c = await connectRaw(TOKEN_C);
    expect(await c.request("h1", "health", {})).toMatchObject({ ok: true });
  });

  it("drain closes every connection and gives every slot back", async () => {
    expect(relay.relay.connectionsOf("a")).toBeGreaterThan(0);
    await relay.relay.drain(1_000);
    expect(relay.relay.connectionsOf("a")).toBe(0);
    expect(relay.relay.connectionsOf("b")).toBe(0);
    expect(relay.relay.connectionsOf("c")).toBe(0);
  });
});

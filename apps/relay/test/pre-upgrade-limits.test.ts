import { connect as tcpConnect } from "node:net";
import type { Socket } from "node:net";
import { join } from "node:path";
import type { MockGateway } from "@clawbridge/mock-gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken, newToken, relayYaml, startRelay, startUpstream, tempDir, writeSecret } from "./helpers/harness.js";
import type { TestRelay } from "./helpers/harness.js";
import { rawConnect } from "./helpers/raw-client.js";

const UPSTREAM_TOKEN = newToken();
const CLIENT_TOKEN = newToken();

/** A TCP socket to the relay that has connected; `closedAfterMs` resolves with how long it lived. */
async function tcpSocket(port: number): Promise<{ socket: Socket; closedAfterMs: Promise<number> }> {
  const socket = tcpConnect(port, "127.0.0.1");
  const opened = performance.now();
  const closedAfterMs = new Promise<number>((resolve) => socket.once("close", () => resolve(performance.now() - opened)));
  socket.on("error", () => undefined);
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  return { socket, closedAfterMs };
}

/**
 * Sockets before their upgrade: bounded by `limits.handshakeTimeoutMs` (not Node's 60-90 s
 * headers timeout) and counted against twice `listen.maxConnections`.
 */
describe("before the upgrade", () => {
  let dir: string;
  let cleanup: (() => Promise<void>) | undefined;
  let gateway: MockGateway | undefined;
  const relays: TestRelay[] = [];
  const sockets: Socket[] = [];

  const start = async (name: string, options: { limits?: string; maxConnections?: number }): Promise<TestRelay> => {
    const yaml = relayYaml({
      stateDir: join(dir, `state-${name}`),
      extra: options.limits ?? "",
      upstreams: { gw2: { url: (gateway as MockGateway).url, tokenFile: join(dir, "gw2.token") } },
      clients: `  wn1:\n    tokenSha256: ${hashToken(CLIENT_TOKEN)}\n    upstreams: [gw2]\n    allow: [health]\n`,
    });
    const listen = options.maxConnections === undefined ? "" : `, maxConnections: ${options.maxConnections}`;
    const relay = await startRelay(dir, yaml.replace("listen: { host: 127.0.0.1, port: 0 }", `listen: { host: 127.0.0.1, port: 0${listen} }`), { file: `${name}.yaml` });
    relays.push(relay);
    return relay;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    gateway = await startUpstream(UPSTREAM_TOKEN);
    await writeSecret(join(dir, "gw2.token"), UPSTREAM_TOKEN);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    for (const relay of relays) await relay.close();
    await gateway?.stop();
    await cleanup?.();
  });

  it("closes a socket that never finishes its upgrade request at the handshake deadline, and keeps upgraded idle clients", async () => {
    const relay = await start("short", { limits: "limits: { handshakeTimeoutMs: 400 }" });
    const silent = await tcpSocket(relay.relay.port);
    const partial = await tcpSocket(relay.relay.port);
    sockets.push(silent.socket, partial.socket);
    partial.socket.write("GET /gw/gw2 HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\n");
    const client = await rawConnect(relay.url("/gw/gw2"), CLIENT_TOKEN);
    // Node's own defaults would keep both for 60-90 s; the test's timeout is far below that.
    expect(await silent.closedAfterMs).toBeLessThan(5_000);
    expect(await partial.closedAfterMs).toBeLessThan(5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await client.request("h1", "health", {})).toMatchObject({ ok: true });
    client.socket.close();
  });

  it("drops new sockets at accept once twice maxConnections are open, upgraded or not", async () => {
    const relay = await start("capped", { maxConnections: 2 });
    const waiting = await Promise.all([0, 1, 2, 3].map(() => tcpSocket(relay.relay.port)));
    sockets.push(...waiting.map((entry) => entry.socket));
    const lived = new Map<string, number>();
    for (const [index, entry] of waiting.entries()) void entry.closedAfterMs.then((ms) => lived.set(`waiting-${index}`, ms));
    const dropped = await tcpSocket(relay.relay.port);
    sockets.push(dropped.socket);
    expect(await dropped.closedAfterMs).toBeLessThan(2_000);
    // The four that came first are still open: they are within the cap.
    expect(lived.size).toBe(0);
    for (const entry of waiting) entry.socket.destroy();
  });
});

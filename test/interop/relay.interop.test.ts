import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startRealGateway } from "./harness/gateway.ts";
import type { RealGateway } from "./harness/gateway.ts";
import { ensureOpenClaw } from "./harness/install.ts";
import { createOpenClawPaths, isolatedEnv } from "./harness/isolated-env.ts";
import type { OpenClawPaths } from "./harness/isolated-env.ts";
import { runOpenClaw } from "./harness/openclaw-cli.ts";
import { decodeWebSocket, findSecretOnWire, startRecordingProxy } from "./harness/recording-proxy.ts";
import type { RecordedConnection, RecordingProxy } from "./harness/recording-proxy.ts";
import { startRelayProcess } from "./harness/relay-process.ts";
import type { RelayProcess } from "./harness/relay-process.ts";
import { CLAWBRIDGE_BIN, jsonOf, runClawbridge, runOpenClawProcess } from "./harness/run-process.ts";
import type { ProcessResult } from "./harness/run-process.ts";

/**
 * Issue #7: a real OpenClaw gateway (GW2) behind the built `clawbridge-relay` bin; a client
 * `wn1` holds only a relay-issued token. Both `clawbridge gateway call` and the real
 * `openclaw gateway call` reach GW2's `node.list` through the relay, and GW2's token is
 * nowhere on the client side: not in the client processes' env or argv, not in any file of
 * their HOME/config/state dirs, not in any byte they sent or received (a recording TCP proxy
 * sits between the clients and the relay and unmasks the WebSocket frames).
 *
 * Locality (observed on 2026.9.6, pinned by the first test): the relay connects upstream from
 * loopback (it runs on GW2's host here) as `client {id: "gateway-client", mode: "backend"}` with
 * GW2's shared token and its own device proof. For that client kind on a loopback socket OpenClaw
 * skips device pairing altogether: hello-ok says `auth.method: "token"`, keeps the requested
 * scopes, issues NO device token, and the relay's device appears in neither `pending` nor
 * `paired` of `openclaw devices list` -- even with `gateway.nodes.pairing.autoApproveLocal:
 * false`, which this GW2 sets (observed separately: a `cli`/`cli` device on loopback DOES get
 * `PAIRING_REQUIRED` under that setting). So a relay on the gateway host is trusted on the shared token alone, no
 * approval can be required of it, and GW2 sees every relay client as that one local backend.
 * Off the gateway host (non-loopback peer) the backend exception does not apply (spec §2.5), so the
 * relay would need `openclaw devices approve` (not exercised here; client-remote.interop.test.ts
 * shows the non-local pairing flow for a `cli` device).
 * The relay's clients never reach GW2's socket, so their own locality is irrelevant to GW2;
 * the relay's policy and relay-issued tokens are the only authority for them.
 */

const GW2_TOKEN = `interop-gw2-${randomUUID()}`;
const WN1_TOKEN = randomBytes(32).toString("base64url");

let gateway: RealGateway | undefined;
let relay: RelayProcess | undefined;
let proxy: RecordingProxy | undefined;
/** Recording proxy between the relay and GW2 (what GW2 receives from the relay). */
let upstreamProxy: RecordingProxy | undefined;
let root: string;
let node24: string;
/** The relay's side: config, GW2 token file, state. */
let relayDir: string;
/** The client side: everything the two client processes can see. */
let clientDir: string;
let wn1TokenFile: string;
let openclawPaths: OpenClawPaths;

const viaProxy = (): string => `ws://127.0.0.1:${proxy?.port ?? 0}/gw/gw2`;

function clawbridgeEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: join(clientDir, "cb-home"),
    CLAWBRIDGE_CONFIG_DIR: join(clientDir, "cb-config"),
    NO_COLOR: "1",
  };
}

function openclawEnv(): NodeJS.ProcessEnv {
  return isolatedEnv(openclawPaths, node24, { OPENCLAW_GATEWAY_URL: viaProxy(), OPENCLAW_GATEWAY_TOKEN: WN1_TOKEN });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Asserts GW2's token is absent from a client process's argv and env (both complete: nothing is inherited). */
function expectNoUpstreamSecretIn(result: ProcessResult): void {
  expect(result.argv.join("\n")).not.toContain(GW2_TOKEN);
  for (const [key, value] of Object.entries(result.env)) expect(`${key}=${value ?? ""}`).not.toContain(GW2_TOKEN);
}

/** The connections the proxy recorded while `run` ran. */
async function recorded<T>(run: () => Promise<T>): Promise<{ value: T; connections: RecordedConnection[] }> {
  const before = proxy!.connections.length;
  const value = await run();
  // Let the proxy see the last bytes of the closing handshake.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { value, connections: proxy!.connections.slice(before) };
}

/** The decoded `connect` request a client sent on a recorded connection. */
function connectFrameOf(connection: RecordedConnection): { params?: { auth?: Record<string, unknown>; client?: Record<string, unknown> } } {
  const decoded = decodeWebSocket(connection);
  expect(decoded.deflate).toBe(false); // plain frames, so the secret search below is meaningful
  const frames = decoded.sent.map((text) => JSON.parse(text) as { method?: string });
  const connect = frames.find((frame) => frame.method === "connect");
  expect(connect, "a connect frame on the wire").toBeDefined();
  return connect as { params?: { auth?: Record<string, unknown>; client?: Record<string, unknown> } };
}

beforeAll(async () => {
  if (!existsSync(CLAWBRIDGE_BIN)) throw new Error(`${CLAWBRIDGE_BIN} is missing: run \`pnpm build\` first`);
  ({ node24 } = await ensureOpenClaw());
  root = mkdtempSync(join(tmpdir(), "clawbridge-relay-interop-"));
  relayDir = join(root, "relay");
  clientDir = join(root, "client");
  mkdirSync(relayDir, { recursive: true, mode: 0o700 });
  mkdirSync(clientDir, { recursive: true, mode: 0o700 });
  openclawPaths = createOpenClawPaths(join(clientDir, "openclaw"));
  wn1TokenFile = join(clientDir, "wn1.token");
  writeFileSync(wn1TokenFile, `${WN1_TOKEN}\n`, { mode: 0o600 });
  writeFileSync(join(relayDir, "gw2.token"), `${GW2_TOKEN}\n`, { mode: 0o600 });

  gateway = await startRealGateway({
    auth: { token: GW2_TOKEN },
    // The relay README's mitigation for a relay on the gateway host; see the file comment.
    config: { gateway: { nodes: { pairing: { autoApproveLocal: false } } } },
  });
  process.stderr.write(`[interop] real gateway GW2 ${gateway.url} ready in ${gateway.startMs} ms\n`);

  upstreamProxy = await startRecordingProxy("127.0.0.1", gateway.port);
  const configPath = join(relayDir, "relay.yaml");
  const wn1Sha256 = createHash("sha256").update(WN1_TOKEN).digest("hex");
  writeFileSync(
    configPath,
    [
      "listen: { host: 127.0.0.1, port: 0 }",
      "admin: { host: 127.0.0.1, port: 0 }",
      `stateDir: ${join(relayDir, "state")}`,
      `log: { level: info, audit: { file: ${join(relayDir, "audit.jsonl")} } }`,
      "upstreams:",
      "  gw2:",
      `    url: ws://127.0.0.1:${upstreamProxy.port}`,
      "    token: { file: gw2.token }",
      "clients:",
      "  wn1:",
      `    tokenSha256: ${wn1Sha256}`,
      "    upstreams: [gw2]",
      '    allow: [health, status, "node.list"]',
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  const started = Date.now();
  relay = await startRelayProcess(configPath, {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: join(relayDir, "home"),
    NO_COLOR: "1",
  });
  process.stderr.write(`[interop] relay ${relay.url} ready (upstream gw2 connected) in ${Date.now() - started} ms\n`);
  const relayPort = Number(new URL(relay.url).port);
  proxy = await startRecordingProxy("127.0.0.1", relayPort);
});

afterAll(async () => {
  await proxy?.close();
  await relay?.stop();
  await upstreamProxy?.close();
  await gateway?.stop();
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe("clawbridge-relay in front of a real gateway (GW2)", () => {
  it("locality: GW2 accepts the relay's loopback backend connection on the shared token alone, with no pairing at all", async () => {
    const readyz = (await (await fetch(`${relay!.adminUrl}/readyz`)).json()) as {
      ready: boolean;
      upstreams: Record<string, { ready?: boolean; grantedScopes?: string[]; deviceId?: string; approveCommand?: unknown }>;
    };
    process.stderr.write(`[interop] relay /readyz: ${JSON.stringify(readyz)}\n`);
    expect(readyz.ready).toBe(true);
    expect(readyz.upstreams["gw2"]).toMatchObject({ ready: true, grantedScopes: ["operator.read"] });
    expect(JSON.stringify(readyz)).not.toContain(GW2_TOKEN);
    const deviceId = readyz.upstreams["gw2"]?.deviceId;
    expect(deviceId).toMatch(/^[0-9a-f]{64}$/);

    // What GW2 received from the relay: a backend client with GW2's token and a device proof ...
    const upstream = upstreamProxy!.connections.map((connection) => decodeWebSocket(connection));
    expect(upstream.length).toBeGreaterThanOrEqual(1);
    expect(upstream[0]!.deflate).toBe(false);
    const connect = upstream[0]!.sent.map((text) => JSON.parse(text) as Record<string, unknown>).find((frame) => frame["method"] === "connect") as
      | { params: { client: Record<string, unknown>; auth: Record<string, unknown>; device?: { id?: string } } }
      | undefined;
    expect(connect?.params.client).toMatchObject({ id: "gateway-client", mode: "backend" });
    expect(connect?.params.auth).toMatchObject({ token: GW2_TOKEN });
    expect(connect?.params.device?.id).toBe(deviceId);
    // ... answered with a token-method hello-ok, scopes kept, and no device token issued,
    const hello = upstream[0]!.received.map((text) => JSON.parse(text) as Record<string, unknown>).find(
      (frame) => frame["type"] === "res" && (frame["payload"] as Record<string, unknown> | undefined)?.["type"] === "hello-ok",
    ) as { payload: { auth: Record<string, unknown> } } | undefined;
    expect(hello?.payload.auth).toMatchObject({ method: "token", role: "operator", scopes: ["operator.read"] });
    expect(hello?.payload.auth).not.toHaveProperty("deviceToken");
    expect(filesUnder(join(relayDir, "state")).filter((file) => file.endsWith("device-tokens.json"))).toEqual([]);

    // ... and the relay's device is neither pending nor paired on GW2, although autoApproveLocal is false.
    const listed = await runOpenClaw(["devices", "list", "--json"], { gateway: gateway!, timeoutMs: 60_000 });
    expect(listed.code, listed.stderr).toBe(0);
    const devices = JSON.parse(listed.stdout) as { pending?: Record<string, unknown>[]; paired?: Record<string, unknown>[] };
    expect([...(devices.pending ?? []), ...(devices.paired ?? [])].filter((entry) => entry["deviceId"] === deviceId)).toEqual([]);
  });

  let direct: unknown;

  it("clawbridge gateway call node.list --url <relay>/gw/gw2 --token-file <wn1 token> --json succeeds", async () => {
    const { value: result, connections } = await recorded(() =>
      runClawbridge(["gateway", "call", "node.list", "--url", viaProxy(), "--token-file", wn1TokenFile, "--json"], {
        env: clawbridgeEnv(),
        timeoutMs: 60_000,
      }),
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    direct = jsonOf(result);
    expect(direct).toEqual({ ts: expect.any(Number), nodes: expect.any(Array) });
    expectNoUpstreamSecretIn(result);
    expect(result.stdout + result.stderr).not.toContain(GW2_TOKEN);
    expect(connections).toHaveLength(1);
    const connect = connectFrameOf(connections[0]!);
    expect(connect.params?.auth).toEqual({ token: WN1_TOKEN }); // positive control: the capture sees the secret that was sent
    expect(findSecretOnWire(connections[0]!, WN1_TOKEN)).not.toEqual([]);
    expect(findSecretOnWire(connections[0]!, GW2_TOKEN)).toEqual([]);
  });

  it("openclaw gateway call node.list --json (OPENCLAW_GATEWAY_URL=<relay>/gw/gw2, token = wn1's relay token) succeeds", async () => {
    const { value: result, connections } = await recorded(() =>
      runOpenClawProcess(["gateway", "call", "node.list", "--json"], { env: openclawEnv(), timeoutMs: 90_000 }),
    );
    process.stderr.write(`[interop] openclaw through the relay: exit ${String(result.code)} in ${result.durationMs} ms\n`);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const payload = jsonOf(result) as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(Object.keys(direct as Record<string, unknown>).sort());
    expectNoUpstreamSecretIn(result);
    expect(result.stdout + result.stderr).not.toContain(GW2_TOKEN);
    expect(connections.length).toBeGreaterThanOrEqual(1);
    for (const connection of connections) expect(findSecretOnWire(connection, GW2_TOKEN)).toEqual([]);
    const connect = connectFrameOf(connections[0]!);
    expect(connect.params?.client).toMatchObject({ id: "cli", mode: "cli" });
    // Loopback URL + shared token: OpenClaw's CLI sends no device identity (the relay needs none).
    expect(connect.params).not.toHaveProperty("device");
    expect(connect.params?.auth).toMatchObject({ token: WN1_TOKEN });
  });

  it("both calls reached GW2 through the relay (audit: wn1, gw2, node.list, ok)", async () => {
    const readCalls = (): Record<string, unknown>[] => {
      const path = join(relayDir, "audit.jsonl");
      if (!existsSync(path)) return [];
      return readFileSync(path, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line["event"] === "request" && line["method"] === "node.list");
    };
    // The relay writes its audit file in batches (8 KiB or every 500 ms), so the second
    // call's line may land a moment after the call returned.
    const calls = await vi.waitFor(
      () => {
        const lines = readCalls();
        expect(lines.length).toBeGreaterThanOrEqual(2);
        return lines;
      },
      { timeout: 5_000, interval: 100 },
    );
    for (const call of calls) expect(call).toMatchObject({ client: "wn1", upstream: "gw2", outcome: "ok" });
  });

  it("wn1's relay token never reaches GW2 (recorded between relay and GW2)", () => {
    expect(upstreamProxy!.connections.length).toBeGreaterThanOrEqual(1);
    for (const connection of upstreamProxy!.connections) expect(findSecretOnWire(connection, WN1_TOKEN)).toEqual([]);
    // The two node.list calls did go up this link.
    const methods = upstreamProxy!.connections.flatMap((connection) => decodeWebSocket(connection).sent.map((text) => (JSON.parse(text) as { method?: string }).method));
    expect(methods.filter((method) => method === "node.list").length).toBeGreaterThanOrEqual(2);
  });

  it("GW2's token is in no file of the client side (clawbridge HOME/config, openclaw HOME/state/config)", () => {
    const files = filesUnder(clientDir);
    expect(files.length).toBeGreaterThan(0);
    const hits = files.filter((file) => readFileSync(file).toString("latin1").includes(GW2_TOKEN));
    expect(hits).toEqual([]);
    // ... while it is, of course, on the relay side.
    expect(readFileSync(join(relayDir, "gw2.token"), "utf8")).toContain(GW2_TOKEN);
  });

  it("the relay refuses GW2's own token from a client (it only knows relay-issued tokens)", async () => {
    const file = join(root, "gw2-as-client.token");
    writeFileSync(file, `${GW2_TOKEN}\n`, { mode: 0o600 });
    const result = await runClawbridge(["gateway", "call", "node.list", "--url", `${relay!.url}/gw/gw2`, "--token-file", file, "--json"], {
      env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: join(root, "other-home"), CLAWBRIDGE_CONFIG_DIR: join(root, "other-config"), NO_COLOR: "1" },
      timeoutMs: 60_000,
    });
    expect(result.code, result.stdout).toBe(4);
    expect((jsonOf(result) as { error: { code: string } }).error.code).toBe("INVALID_REQUEST");
  });
});

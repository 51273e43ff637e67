import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRealGateway } from "./harness/gateway.ts";
import type { RealGateway } from "./harness/gateway.ts";
import { ensureOpenClaw } from "./harness/install.ts";
import { createOpenClawPaths, isolatedEnv } from "./harness/isolated-env.ts";
import { createNetNamespace, hostInterfaceExists, listNetNamespaces } from "./harness/netns.ts";
import type { NetNamespace } from "./harness/netns.ts";
import { decodeWebSocket, findSecretOnWire, startRecordingProxy } from "./harness/recording-proxy.ts";
import type { RecordingProxy } from "./harness/recording-proxy.ts";
import { CLAWBRIDGE_BIN, jsonOf, runClawbridge, runOpenClawProcess } from "./harness/run-process.ts";
import type { ProcessResult } from "./harness/run-process.ts";

/**
 * Issue #5: the built `clawbridge gateway call` against `openclaw gateway call` (real 2026.9.6),
 * both against one real gateway, both with `--json`.
 *
 * * Success payloads: the same JSON keys (top level; for arrays, the keys of every element).
 * * Failures: the same `error.code` / `error.details.code`; clawbridge exits per its table
 *   (wrong token 4, unknown method 1, missing scope 1), OpenClaw exits 1.
 * * How OpenClaw's CLI hits a missing scope: both CLIs ask for the method's least privilege and,
 *   on loopback, a device-less `cli`/`cli` keeps what it asks for, so no core method fails on
 *   loopback. From a NON-local peer the gateway clears a device-less token connection's scopes
 *   to `[]`. `openclaw gateway call` never creates a device identity, so with a fresh state dir
 *   it connects device-less; run inside a network namespace (veth to the gateway's custom bind
 *   address) its `status` fails `FORBIDDEN` / `MISSING_SCOPE`. clawbridge would prove a device
 *   there (and get `PAIRING_REQUIRED`), so it uses a remote profile with `device: never` to make
 *   the same device-less call.
 * * Ambient secret: with `OPENCLAW_GATEWAY_TOKEN=<GW1's secret>` in its environment and `--url`
 *   at the real gateway (here playing GW2, whose token differs), clawbridge never sends GW1's
 *   secret. Checked on the wire by a recording TCP proxy that decodes (unmasks) the WebSocket
 *   frames, plus the gateway's own logs. GW1 itself need not run: what matters is that the
 *   ambient value is a secret that must not leave, and that it differs from the target's token.
 */

const TOKEN = `interop-parity-${randomUUID()}`;
const WRONG_TOKEN = `interop-wrong-${randomUUID()}`;
const GW1_SECRET = `interop-gw1-${randomUUID()}`;

let ns: NetNamespace | undefined;
let gateway: RealGateway | undefined;
let proxy: RecordingProxy | undefined;
let root: string;
let node24: string;
let tokenFile: string;
let wrongTokenFile: string;
/** clawbridge's config dir (the `lab` remote profile: namespace URL, `device: never`). */
let configDir: string;

const remoteUrl = (): string => `ws://${ns?.hostIp ?? "unset"}:${gateway?.port ?? 0}`;

/** Env of the clawbridge bin: nothing inherited, its own HOME and config dir. */
function clawbridgeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: join(root, "cb-home"), CLAWBRIDGE_CONFIG_DIR: configDir, NO_COLOR: "1", ...extra };
}

/** Env of the real OpenClaw CLI: a fresh isolated HOME/state per run (no stored identity), URL + token in env. */
function openclawEnv(url: string, token: string): NodeJS.ProcessEnv {
  const paths = createOpenClawPaths(join(root, `oc-${randomUUID()}`));
  return isolatedEnv(paths, node24, { OPENCLAW_GATEWAY_URL: url, OPENCLAW_GATEWAY_TOKEN: token });
}

async function ours(method: string, args: readonly string[] = ["--url", gateway!.url, "--token-file", tokenFile]): Promise<ProcessResult> {
  return runClawbridge(["gateway", "call", method, ...args, "--json"], { env: clawbridgeEnv(), timeoutMs: 60_000 });
}

async function theirs(method: string, token = TOKEN): Promise<ProcessResult> {
  return runOpenClawProcess(["gateway", "call", method, "--json"], { env: openclawEnv(gateway!.url, token), timeoutMs: 90_000 });
}

/**
 * The key shape of a payload: its sorted top-level keys, or for an array the distinct sorted
 * key lists of its elements (distinct, because how many presence entries exist can change
 * between two calls; every kind of element one CLI prints must be printed by the other).
 */
function shapeOf(value: unknown): string[] | string[][] {
  if (Array.isArray(value)) {
    const shapes = value.map((element) => (element !== null && typeof element === "object" ? Object.keys(element).sort() : []));
    const distinct = [...new Map(shapes.map((shape) => [JSON.stringify(shape), shape])).values()];
    return distinct.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (value !== null && typeof value === "object") return Object.keys(value).sort();
  return [];
}

/** `{code, detailsCode}` of a `--json` error envelope. */
function errorCodes(result: ProcessResult): { code: unknown; detailsCode: unknown } {
  const body = jsonOf(result) as { ok?: unknown; error?: { code?: unknown; details?: { code?: unknown } } };
  expect(body.ok, result.stdout).toBe(false);
  return { code: body.error?.code, detailsCode: body.error?.details?.code };
}

/**
 * What OpenClaw's envelope says, ours says the same way: every key of its `error` is in
 * ours with the same `type`, `message` and `retryable` (ours may add keys, e.g. `phase`).
 */
function expectSameEnvelope(mine: ProcessResult, real: ProcessResult): void {
  const realError = (jsonOf(real) as { error: Record<string, unknown> }).error;
  const myError = (jsonOf(mine) as { error: Record<string, unknown> }).error;
  expect(Object.keys(myError)).toEqual(expect.arrayContaining(Object.keys(realError)));
  expect({ type: myError["type"], message: myError["message"], retryable: myError["retryable"] }).toEqual({
    type: realError["type"],
    message: realError["message"],
    retryable: realError["retryable"],
  });
}

function log(line: string): void {
  process.stderr.write(`[interop] ${line}\n`);
}

beforeAll(async () => {
  if (!existsSync(CLAWBRIDGE_BIN)) throw new Error(`${CLAWBRIDGE_BIN} is missing: run \`pnpm build\` first`);
  ({ node24 } = await ensureOpenClaw());
  root = mkdtempSync(join(tmpdir(), "clawbridge-cli-parity-"));
  configDir = join(root, "clawbridge");
  tokenFile = join(root, "gw.token");
  wrongTokenFile = join(root, "wrong.token");
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  writeFileSync(wrongTokenFile, `${WRONG_TOKEN}\n`, { mode: 0o600 });
  // Fails (never skips) with a clear message when `ip netns` is unavailable.
  ns = await createNetNamespace();
  gateway = await startRealGateway({
    auth: { token: TOKEN },
    config: { gateway: { bind: "custom", customBindHost: ns.hostIp } },
  });
  log(`real gateway ${gateway.url} (+ ${remoteUrl()}, ns ${ns.name}) ready in ${gateway.startMs} ms`);
  const added = await runClawbridge(
    ["remote", "add", "lab", "--url", remoteUrl(), "--token-file", tokenFile, "--device", "never", "--json"],
    { env: clawbridgeEnv(), timeoutMs: 30_000 },
  );
  if (added.code !== 0) throw new Error(`clawbridge remote add failed (${String(added.code)}): ${added.stdout}${added.stderr}`);
});

afterAll(async () => {
  await proxy?.close();
  await gateway?.stop();
  const name = ns?.name;
  const hostInterface = ns?.hostInterface;
  await ns?.destroy();
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  if (name !== undefined && hostInterface !== undefined) {
    expect(await listNetNamespaces()).not.toContain(name);
    expect(await hostInterfaceExists(hostInterface)).toBe(false);
  }
});

describe("clawbridge gateway call vs openclaw gateway call: payload keys", () => {
  for (const method of ["health", "status", "node.list", "system-presence"]) {
    it(`${method}: exit 0 and the same JSON keys`, async () => {
      // system-presence lists live connections: run the two CLIs one after the other there.
      const [mine, real] =
        method === "system-presence" ? [await ours(method), await theirs(method)] : await Promise.all([ours(method), theirs(method)]);
      log(`${method}: clawbridge ${mine.durationMs} ms, openclaw ${real.durationMs} ms`);
      expect(real.code, real.stderr).toBe(0);
      expect(mine.code, mine.stderr).toBe(0);
      const mineShape = shapeOf(jsonOf(mine));
      const realShape = shapeOf(jsonOf(real));
      log(`${method} keys: ${JSON.stringify(realShape)}`);
      expect(realShape.length).toBeGreaterThan(0);
      expect(mineShape).toEqual(realShape);
    });
  }
});

describe("clawbridge gateway call vs openclaw gateway call: errors", () => {
  it("wrong token: same error.code / details.code; clawbridge exits 4, openclaw 1", async () => {
    const [mine, real] = await Promise.all([ours("health", ["--url", gateway!.url, "--token-file", wrongTokenFile]), theirs("health", WRONG_TOKEN)]);
    log(`wrong token: openclaw ${real.stdout.trim()} / clawbridge ${mine.stdout.trim()}`);
    expect(real.code).toBe(1);
    expect(mine.code).toBe(4);
    const realCodes = errorCodes(real);
    expect(realCodes).toEqual({ code: "INVALID_REQUEST", detailsCode: "AUTH_TOKEN_MISMATCH" });
    expect(errorCodes(mine)).toEqual(realCodes);
    expectSameEnvelope(mine, real);
    expect(mine.stdout + mine.stderr).not.toContain(WRONG_TOKEN);
  });

  it("unknown method: same error.code / details.code; both exit 1", async () => {
    const [mine, real] = await Promise.all([ours("nope.parity"), theirs("nope.parity")]);
    expect(real.code).toBe(1);
    expect(mine.code).toBe(1);
    const realCodes = errorCodes(real);
    expect(realCodes).toEqual({ code: "INVALID_REQUEST", detailsCode: undefined });
    expect(errorCodes(mine)).toEqual(realCodes);
    expectSameEnvelope(mine, real);
    expect((jsonOf(mine) as { error: { message: string } }).error.message).toBe("unknown method: nope.parity");
  });

  it("missing scope (device-less from a non-local peer): same FORBIDDEN / MISSING_SCOPE; both exit 1", async () => {
    const [mine, real] = await Promise.all([
      runClawbridge(["gateway", "call", "status", "--remote", "lab", "--json"], { env: clawbridgeEnv(), netns: ns!, timeoutMs: 60_000 }),
      runOpenClawProcess(["gateway", "call", "status", "--json"], { env: openclawEnv(remoteUrl(), TOKEN), netns: ns!, timeoutMs: 90_000 }),
    ]);
    log(`missing scope: openclaw ${real.stdout.trim()} / clawbridge ${mine.stdout.trim()}`);
    expect(real.code, real.stderr).toBe(1);
    expect(mine.code, mine.stderr).toBe(1);
    const realCodes = errorCodes(real);
    expect(realCodes).toEqual({ code: "FORBIDDEN", detailsCode: "MISSING_SCOPE" });
    expect(errorCodes(mine)).toEqual(realCodes);
    for (const result of [mine, real]) {
      expect((jsonOf(result) as { error: { message: string } }).error.message).toBe("missing scope: operator.read");
    }
  });
});

describe("clawbridge never sends the ambient OPENCLAW_GATEWAY_TOKEN to a --url target", () => {
  it("with --token-file it sends only that token (recorded and unmasked on the wire); GW1's secret appears nowhere", async () => {
    proxy = await startRecordingProxy("127.0.0.1", gateway!.port);
    const before = proxy.connections.length;
    const result = await runClawbridge(
      ["gateway", "call", "health", "--url", `ws://127.0.0.1:${proxy.port}`, "--token-file", tokenFile, "--json"],
      { env: clawbridgeEnv({ OPENCLAW_GATEWAY_TOKEN: GW1_SECRET }), timeoutMs: 60_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    expect((jsonOf(result) as { ok?: unknown }).ok).toBe(true);
    const connections = proxy.connections.slice(before);
    expect(connections).toHaveLength(1);
    const connection = connections[0]!;
    const decoded = decodeWebSocket(connection);
    // The decoder must see plain frames for the "absent" check below to mean anything.
    expect(decoded.deflate).toBe(false);
    const connect = decoded.sent.map((text) => JSON.parse(text) as { method?: string; params?: { auth?: unknown } }).find((frame) => frame.method === "connect");
    expect(connect?.params?.auth).toEqual({ token: TOKEN });
    // Positive control: the capture does see the token that was meant to be sent.
    expect(findSecretOnWire(connection, TOKEN)).not.toEqual([]);
    expect(findSecretOnWire(connection, GW1_SECRET)).toEqual([]);
    expect(gateway!.logs()).not.toContain(GW1_SECRET);
    const logFile = join(gateway!.rootDir, "gateway.log");
    if (existsSync(logFile)) expect(readFileSync(logFile, "utf8")).not.toContain(GW1_SECRET);
  });

  it("without explicit credentials it refuses before connecting (exit 2), like openclaw refuses a --url without them", async () => {
    const before = proxy!.connections.length;
    const url = `ws://127.0.0.1:${proxy!.port}`;
    const [mine, real] = await Promise.all([
      runClawbridge(["gateway", "call", "health", "--url", url, "--json"], { env: clawbridgeEnv({ OPENCLAW_GATEWAY_TOKEN: GW1_SECRET }), timeoutMs: 60_000 }),
      runOpenClawProcess(["gateway", "call", "health", "--url", url, "--json"], { env: openclawEnv(gateway!.url, GW1_SECRET), timeoutMs: 90_000 }),
    ]);
    log(`--url without credentials: openclaw exit ${String(real.code)} ${real.stdout.trim()} / clawbridge exit ${String(mine.code)} ${mine.stdout.trim()}`);
    expect(mine.code).toBe(2);
    expect((jsonOf(mine) as { error: { type: string } }).error.type).toBe("gateway_credentials_required");
    expect(real.code).toBe(1);
    expect(proxy!.connections.length).toBe(before);
    expect(mine.stdout + mine.stderr).not.toContain(GW1_SECRET);
  });
});

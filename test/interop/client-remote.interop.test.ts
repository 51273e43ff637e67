import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRealGateway } from "./harness/gateway.ts";
import type { RealGateway } from "./harness/gateway.ts";
import { createNetNamespace, hostInterfaceExists, listenersOnPort, listNetNamespaces } from "./harness/netns.ts";
import type { NetNamespace } from "./harness/netns.ts";
import { runOpenClaw } from "./harness/openclaw-cli.ts";
import { CLIENT_DIST, jsonOf, runProcess } from "./harness/run-process.ts";

/**
 * Issue #4: `@clawbridge/client` against the real OpenClaw 2026.9.6 gateway, from loopback and
 * from a peer the gateway does NOT treat as local.
 *
 * The non-local peer is a network namespace joined to the host by a veth pair on a random
 * private 10.x /30. The gateway runs with `gateway.bind: "custom"` + `gateway.customBindHost:
 * <host veth ip>`: OpenClaw then listens on that address AND on 127.0.0.1 (same port), so the
 * admin CLI (`openclaw devices approve`) still reaches it on loopback. The client runs inside
 * the namespace (`ip netns exec`) as a separate Node 20 process importing the built
 * `packages/client/dist` (`harness/client-probe.mjs`); its socket's peer address is the
 * namespace side of the veth, so the gateway applies its remote rules.
 */

const TOKEN = `interop-remote-${randomUUID()}`;
const PROBE = join(import.meta.dirname, "harness", "client-probe.mjs");

let ns: NetNamespace | undefined;
let gateway: RealGateway | undefined;
let root: string;
/** The client's config dir (identity + device tokens), persisted across the namespace runs. */
let configDir: string;

interface ProbeStep {
  op: "callOnce" | "connect-call";
  method: string;
  params?: unknown;
  device?: "auto" | "always" | "never";
  useToken?: boolean;
  client?: { id: string; mode: string };
}

interface ProbeError {
  name?: string;
  code?: string;
  detailCode?: string;
  message: string;
  requestId?: string;
  reason?: string;
  deviceId?: string;
  approveCommand?: string;
  details?: Record<string, unknown>;
}

interface ProbeResult {
  ok: boolean;
  hello?: { role?: string; scopes?: string[]; method?: string; deviceTokenIssued: boolean };
  result?: { keys: string[] };
  error?: ProbeError;
}

/** Runs one probe step with the built client, in the namespace (`where: "ns"`) or on the host. */
async function probe(where: "ns" | "host", url: string, step: ProbeStep, withToken = true): Promise<ProbeResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: join(root, "home"),
    CLAWBRIDGE_CONFIG_DIR: configDir,
    ...(withToken ? { CB_PROBE_TOKEN: TOKEN } : {}),
  };
  const result = await runProcess(process.execPath, [PROBE], {
    env,
    ...(where === "ns" && ns !== undefined ? { netns: ns } : {}),
    stdin: JSON.stringify({ clientDist: CLIENT_DIST, url, configDir, steps: [step] }),
    timeoutMs: 45_000,
  });
  expect(result.argv.join(" ")).not.toContain(TOKEN);
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  const output = jsonOf(result) as { steps: ProbeResult[] };
  expect(output.steps).toHaveLength(1);
  return output.steps[0] as ProbeResult;
}

/** Files under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const remoteUrl = (): string => `ws://${ns?.hostIp ?? "unset"}:${gateway?.port ?? 0}`;

beforeAll(async () => {
  if (!existsSync(CLIENT_DIST)) throw new Error(`${CLIENT_DIST} is missing: run \`pnpm build\` first`);
  root = mkdtempSync(join(tmpdir(), "clawbridge-client-remote-"));
  configDir = join(root, "clawbridge");
  // Fails (never skips) with a clear message when `ip netns` is unavailable.
  ns = await createNetNamespace();
  gateway = await startRealGateway({
    auth: { token: TOKEN },
    config: { gateway: { bind: "custom", customBindHost: ns.hostIp } },
  });
  process.stderr.write(`[interop] real gateway ${gateway.url} (+ ${remoteUrl()}, ns ${ns.name} ${ns.subnet}) ready in ${gateway.startMs} ms\n`);
});

afterAll(async () => {
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

describe("real gateway with gateway.bind=custom on a host veth address", () => {
  it("listens on the custom address and on 127.0.0.1 (same port), nowhere else", async () => {
    const listeners = await listenersOnPort(gateway!.port);
    const locals = listeners.map((line) => line.split(/\s+/)[3]);
    expect(locals).toEqual(expect.arrayContaining([`${ns!.hostIp}:${gateway!.port}`, `127.0.0.1:${gateway!.port}`]));
    expect(locals).not.toContain(`0.0.0.0:${gateway!.port}`);
    expect(locals).not.toContain(`*:${gateway!.port}`);
  });
});

describe("@clawbridge/client from loopback (issue #4 i)", () => {
  it("GatewayClient.callOnce (cli/cli, token, device auto = omitted on loopback) gets status", async () => {
    const result = await probe("host", gateway!.url, { op: "callOnce", method: "status" });
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.result?.keys.length).toBeGreaterThan(0);
  });

  it("a loopback cli/cli connect without device keeps the requested operator.read", async () => {
    const result = await probe("host", gateway!.url, { op: "connect-call", method: "status", device: "never" });
    expect(result).toMatchObject({ ok: true, hello: { role: "operator", scopes: ["operator.read"], deviceTokenIssued: false } });
  });
});

describe("@clawbridge/client from a non-local peer (network namespace, issue #4 ii)", () => {
  it("(a) token only, no device identity: hello-ok with auth.scopes [] and status refused for the missing scope", async () => {
    const result = await probe("ns", remoteUrl(), { op: "connect-call", method: "status", device: "never" });
    expect(result.hello).toEqual({ role: "operator", scopes: [], method: "token", deviceTokenIssued: false });
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({ code: "FORBIDDEN", detailCode: "MISSING_SCOPE", message: "missing scope: operator.read" });
    // Nothing was persisted for a device-less connect.
    expect(filesUnder(configDir).filter((file) => file.endsWith("device-tokens.json"))).toEqual([]);
  });

  it("(a') the same connect from loopback keeps its scopes: the difference is the peer address", async () => {
    const result = await probe("host", gateway!.url, { op: "connect-call", method: "status", device: "never" });
    expect(result.hello?.scopes).toEqual(["operator.read"]);
  });

  let requestId = "";

  it("(b) with our device identity: PairingRequiredError (NOT_PAIRED / PAIRING_REQUIRED) with a requestId", async () => {
    const result = await probe("ns", remoteUrl(), { op: "callOnce", method: "status", device: "always" });
    expect(result.ok).toBe(false);
    const error = result.error!;
    expect(error).toMatchObject({ name: "PairingRequiredError", code: "NOT_PAIRED", detailCode: "PAIRING_REQUIRED", reason: "not-paired" });
    expect(error.requestId).toEqual(expect.any(String));
    requestId = error.requestId ?? "";
    expect(error.approveCommand).toBe(`openclaw devices approve ${requestId}`);
    expect(error.message).not.toContain(TOKEN);
    // The identity the client created is the one the gateway wants approved.
    const identityFile = filesUnder(configDir).find((file) => file.endsWith("identity.json"));
    expect(identityFile, "identity.json under the config dir").toBeDefined();
    const identity = JSON.parse(readFileSync(identityFile!, "utf8")) as Record<string, unknown>;
    expect(JSON.stringify(identity)).toContain(String(error.deviceId));
  });

  it("(b') the gateway lists the request as pending, for that device, from the namespace address", async () => {
    expect(requestId).not.toBe("");
    const listed = await runOpenClaw(["devices", "list", "--json"], { gateway: gateway!, timeoutMs: 60_000 });
    expect(listed.code, listed.stderr).toBe(0);
    const body = JSON.parse(listed.stdout) as { pending?: Record<string, unknown>[] };
    const pending = (body.pending ?? []).find((entry) => entry["requestId"] === requestId);
    expect(pending, listed.stdout).toBeDefined();
    process.stderr.write(`[interop] pending pairing request as listed by openclaw devices list: ${JSON.stringify(pending)}\n`);
    expect(pending).toMatchObject({ role: "operator", clientId: "cli", clientMode: "cli" });
    expect(JSON.stringify(pending)).toContain(ns!.nsIp);
  });

  it("(c) after `openclaw devices approve <requestId>` (admin CLI on loopback) the connect succeeds and a device token is stored", async () => {
    expect(requestId).not.toBe("");
    const approved = await runOpenClaw(["devices", "approve", requestId, "--json"], { gateway: gateway!, timeoutMs: 60_000 });
    expect(approved.code, `${approved.stdout}\n${approved.stderr}`).toBe(0);
    const result = await probe("ns", remoteUrl(), { op: "connect-call", method: "status", device: "always" });
    expect(result.error).toBeUndefined();
    expect(result.hello).toMatchObject({ role: "operator", scopes: ["operator.read"], deviceTokenIssued: true });
    expect(result.result?.keys.length).toBeGreaterThan(0);
    const tokens = filesUnder(configDir).filter((file) => file.endsWith("device-tokens.json"));
    expect(tokens).toHaveLength(1);
    const stored = JSON.parse(readFileSync(tokens[0]!, "utf8")) as { tokens: Record<string, { scopes: string[] }> };
    expect(stored.tokens["operator"]?.scopes).toEqual(["operator.read"]);
    // The shared token is never written to the client's files.
    for (const file of filesUnder(configDir)) expect(readFileSync(file, "utf8")).not.toContain(TOKEN);
  });

  it("(d) a later connect with the stored device token alone (no shared token) succeeds", async () => {
    const result = await probe("ns", remoteUrl(), { op: "connect-call", method: "status", device: "auto" }, false);
    process.stderr.write(`[interop] device-token-only connect from the namespace: ${JSON.stringify(result.hello)}\n`);
    expect(result.error).toBeUndefined();
    expect(result.hello).toMatchObject({ role: "operator", scopes: ["operator.read"], method: "device-token" });
    const once = await probe("ns", remoteUrl(), { op: "callOnce", method: "status" }, false);
    expect(once).toMatchObject({ ok: true });
  });

  it("(d') without the stored device token and without a shared token the same connect is refused", async () => {
    const saved = configDir;
    configDir = join(root, "fresh-config");
    try {
      const result = await probe("ns", remoteUrl(), { op: "callOnce", method: "status", device: "always" }, false);
      process.stderr.write(`[interop] device without token or device token: ${JSON.stringify(result.error)}\n`);
      expect(result.ok).toBe(false);
      expect(result.error).toMatchObject({ name: "ConnectRejectedError", code: "INVALID_REQUEST", detailCode: "AUTH_TOKEN_MISSING" });
    } finally {
      configDir = saved;
    }
  });
});

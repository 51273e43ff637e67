import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authEnv } from "./gateway.ts";
import type { RealGateway } from "./gateway.ts";
import { callGateway } from "./gateway-rpc.ts";
import { ensureOpenClaw } from "./install.ts";
import { createOpenClawPaths, isolatedEnv } from "./isolated-env.ts";
import { onProcessExit, spawnManaged } from "./managed-process.ts";
import { runOpenClaw } from "./openclaw-cli.ts";
import type { OpenClawRunResult } from "./openclaw-cli.ts";
import { isObject } from "./raw-client.ts";

/** A running real `openclaw node run` host connected to a {@link RealGateway}. */
export interface RealNodeHost {
  /** The `--display-name` it was started with. */
  readonly displayName: string;
  /** Node id as listed by the gateway's `node.list` (= its device id). */
  readonly nodeId: string;
  /** Temp folder of the node host; removed by `stop()`. */
  readonly rootDir: string;
  readonly homeDir: string;
  readonly stateDir: string;
  readonly configPath: string;
  /** The node host's environment (isolated HOME/state + `OPENCLAW_GATEWAY_TOKEN`/`_PASSWORD`); use it for `openclaw approvals …` on this node. */
  readonly env: NodeJS.ProcessEnv;
  /** Wall time from spawn until the gateway listed it as connected, in ms. */
  readonly startMs: number;
  /** Node host stdout+stderr so far. */
  logs(): string;
  /** Stops the node host's process group and removes `rootDir`. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startRealNodeHost}. */
export interface StartRealNodeHostOptions {
  readonly gateway: RealGateway;
  readonly displayName: string;
  /** Extra env for the node host (applied last). */
  readonly env?: Record<string, string>;
  /** Give up waiting for the connection after this many ms (default 90 000). */
  readonly startTimeoutMs?: number;
}

interface ListedNode {
  readonly nodeId: string;
  readonly displayName?: string;
  readonly connected?: boolean;
}

async function listNodes(gateway: RealGateway): Promise<ListedNode[]> {
  const result = await callGateway(gateway.url, { auth: gateway.auth, method: "node.list", timeoutMs: 10_000 });
  const payload = result.payload;
  if (!result.ok || !isObject(payload) || !Array.isArray(payload["nodes"])) {
    throw new Error(`node.list failed: ${JSON.stringify(result.response)}`);
  }
  return payload["nodes"].filter(isObject).map((node) => ({
    nodeId: String(node["nodeId"]),
    ...(typeof node["displayName"] === "string" ? { displayName: node["displayName"] } : {}),
    ...(typeof node["connected"] === "boolean" ? { connected: node["connected"] } : {}),
  }));
}

/**
 * Starts `openclaw node run --host 127.0.0.1 --port <gateway port> --display-name <name>` under
 * Node 24 with its own HOME/state/config and the gateway secret in env
 * (`OPENCLAW_GATEWAY_TOKEN`/`_PASSWORD`; the command has no `--token` flag). Resolves once the
 * gateway's `node.list` shows it connected (~10 s). Loopback device pairing is approved
 * silently by the gateway; the node's command surface (`system.run`, …) still needs
 * {@link approveNodeHost}.
 */
export async function startRealNodeHost(options: StartRealNodeHostOptions): Promise<RealNodeHost> {
  const { node24, openclawBin } = await ensureOpenClaw();
  const { gateway, displayName } = options;
  const rootDir = mkdtempSync(join(tmpdir(), "clawbridge-node-"));
  const paths = createOpenClawPaths(rootDir);
  const env = isolatedEnv(paths, node24, { ...authEnv(gateway.auth), ...options.env });
  const started = Date.now();
  const proc = spawnManaged(
    node24,
    [openclawBin, "node", "run", "--host", "127.0.0.1", "--port", String(gateway.port), "--display-name", displayName],
    { env, cwd: rootDir },
  );
  const removeDir = (): void => rmSync(rootDir, { recursive: true, force: true });
  const unregisterExitCleanup = onProcessExit(removeDir);
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await proc.stop();
      unregisterExitCleanup();
      removeDir();
    })();
    return stopped;
  };

  const timeoutMs = options.startTimeoutMs ?? 90_000;
  let nodeId: string | undefined;
  try {
    while (nodeId === undefined) {
      const status = proc.exitStatus();
      if (status !== undefined) throw new Error(`node host exited early (code ${status.code}, signal ${status.signal})`);
      if (Date.now() - started > timeoutMs) throw new Error(`node host ${displayName} not connected within ${timeoutMs} ms`);
      const mine = (await listNodes(gateway)).find((node) => node.displayName === displayName && node.connected === true);
      if (mine !== undefined) nodeId = mine.nodeId;
      else await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    const tail = proc.logTail(40);
    await stop();
    throw new Error(`${(error as Error).message}\n--- node host log tail ---\n${tail}`);
  }
  return {
    displayName,
    nodeId,
    rootDir,
    homeDir: paths.homeDir,
    stateDir: paths.stateDir,
    configPath: paths.configPath,
    env,
    startMs: Date.now() - started,
    logs: () => proc.logs(),
    stop,
  };
}

/** One entry of `openclaw nodes pending --json` (fields observed on 2026.9.6). */
export interface PendingNodeRequest {
  readonly requestId: string;
  readonly nodeId: string;
  readonly displayName?: string;
  readonly commands?: readonly string[];
  readonly requiredApproveScopes?: readonly string[];
  readonly [key: string]: unknown;
}

function expectSuccess(what: string, result: OpenClawRunResult): void {
  if (result.code !== 0) {
    throw new Error(`${what} exited ${result.code} after ${result.durationMs} ms\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

/** Runs `openclaw nodes pending --json` against `gateway` (credentials via env) and returns the parsed list. */
export async function listPendingNodes(gateway: RealGateway): Promise<PendingNodeRequest[]> {
  const result = await runOpenClaw(["nodes", "pending", "--json"], { gateway });
  expectSuccess("openclaw nodes pending", result);
  const parsed = JSON.parse(result.stdout) as unknown;
  if (!Array.isArray(parsed)) throw new Error(`unexpected nodes pending output: ${result.stdout}`);
  return parsed.filter(isObject) as PendingNodeRequest[];
}

/**
 * Approves `node`'s pending command-surface request with `openclaw nodes pending --json` +
 * `openclaw nodes approve <requestId>` (the CLI runs as `cli`/`cli` on loopback, so it holds the
 * `operator.pairing` + `operator.admin` that a `system.run` surface requires). Waits up to
 * `timeoutMs` (default 30 000) for the request to appear. Returns the approved request.
 */
export async function approveNodeHost(gateway: RealGateway, node: RealNodeHost, timeoutMs = 30_000): Promise<PendingNodeRequest> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const request = (await listPendingNodes(gateway)).find((entry) => entry.nodeId === node.nodeId);
    if (request !== undefined) {
      const result = await runOpenClaw(["nodes", "approve", request.requestId, "--json"], { gateway });
      expectSuccess(`openclaw nodes approve ${request.requestId}`, result);
      return request;
    }
    if (Date.now() > deadline) throw new Error(`no pending node request for ${node.nodeId} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Replaces the node host's exec-approvals document with `document` via
 * `openclaw approvals set --stdin --json`, run with the node's own HOME/state dir (the document
 * lives in the node's `state/openclaw.sqlite`). Returns the parsed CLI output
 * (`{path, exists, file, hash}`). Takes ~4-30 s on 2 cores (kills the CLI after 150 s).
 */
export async function setNodeExecApprovals(node: RealNodeHost, document: unknown): Promise<Record<string, unknown>> {
  // Slow in 2026.9.6 once the state dir exists (~4-30 s, mostly CPU), hence the long timeout.
  const result = await runOpenClaw(["approvals", "set", "--stdin", "--json"], {
    env: node.env,
    stdin: JSON.stringify(document),
    timeoutMs: 150_000,
  });
  expectSuccess("openclaw approvals set", result);
  const parsed = JSON.parse(result.stdout) as unknown;
  if (!isObject(parsed)) throw new Error(`unexpected approvals set output: ${result.stdout}`);
  return parsed;
}

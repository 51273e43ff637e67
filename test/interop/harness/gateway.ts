import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callGateway } from "./gateway-rpc.ts";
import type { GatewayAuth } from "./gateway-rpc.ts";
import { ensureOpenClaw } from "./install.ts";
import { createOpenClawPaths, isolatedEnv } from "./isolated-env.ts";
import type { OpenClawPaths } from "./isolated-env.ts";
import { onProcessExit, spawnManaged } from "./managed-process.ts";
import { reservePortBlock } from "./ports.ts";

/** A running real OpenClaw gateway on loopback, in its own temp folder. */
export interface RealGateway {
  /** Control socket URL, `ws://127.0.0.1:<port>`. */
  readonly url: string;
  /** HTTP base URL, `http://127.0.0.1:<port>` (`/healthz`, `/readyz`). */
  readonly httpUrl: string;
  /** Base port (the gateway also owns up to port + 110). */
  readonly port: number;
  /** The shared secret it was configured with. */
  readonly auth: GatewayAuth;
  /** Temp folder holding everything below; removed by `stop()`. */
  readonly rootDir: string;
  /** Gateway's `HOME`. */
  readonly homeDir: string;
  /** Gateway's `OPENCLAW_STATE_DIR`. */
  readonly stateDir: string;
  /** Gateway's `OPENCLAW_CONFIG_PATH` (holds the secret; mode 0600). */
  readonly configPath: string;
  /** Pid (= process group id) of the gateway process. */
  readonly pid: number;
  /** Wall time from spawn until the gateway answered a `health` call, in ms. */
  readonly startMs: number;
  /**
   * Env for an OpenClaw CLI acting as a separate client of this gateway: its own isolated
   * HOME/state (under `rootDir/cli`) plus `OPENCLAW_GATEWAY_URL` and `OPENCLAW_GATEWAY_TOKEN`
   * (or `OPENCLAW_GATEWAY_PASSWORD`). Used by `runOpenClaw({ gateway })`.
   */
  clientEnv(): NodeJS.ProcessEnv;
  /** Gateway stdout+stderr so far. */
  logs(): string;
  /** Stops the gateway's process group (SIGTERM, SIGKILL after 15 s), waits for exit, removes `rootDir`. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startRealGateway}. */
export interface StartRealGatewayOptions {
  /** Shared secret written into the config file (never on argv). */
  readonly auth: GatewayAuth;
  /** Extra env for the gateway process (applied last). */
  readonly env?: Record<string, string>;
  /** Extra top-level config merged into `openclaw.json` (shallow, `gateway` is merged one level deep). */
  readonly config?: Record<string, unknown>;
  /** Give up waiting for readiness after this many ms (default 120 000). */
  readonly startTimeoutMs?: number;
  /** Keep `rootDir` after `stop()` (default: `$CLAWBRIDGE_INTEROP_KEEP === "1"`). */
  readonly keepDir?: boolean;
}

async function httpReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const body = (await res.json().catch(() => undefined)) as { ready?: unknown } | undefined;
    return res.status === 200 && body?.ready === true;
  } catch {
    return false;
  }
}

function gatewayConfig(port: number, auth: GatewayAuth, logFile: string, extra: Record<string, unknown>): Record<string, unknown> {
  const authConfig = "token" in auth ? { mode: "token", token: auth.token } : { mode: "password", password: auth.password };
  const extraGateway = typeof extra["gateway"] === "object" && extra["gateway"] !== null ? extra["gateway"] : {};
  return {
    // No outbound traffic from tests: no update check, no remote model catalog download.
    update: { checkOnStart: false },
    models: { catalogRefresh: { enabled: false } },
    ...extra,
    gateway: { mode: "local", port, bind: "loopback", auth: authConfig, ...extraGateway },
    logging: { file: logFile, ...(typeof extra["logging"] === "object" && extra["logging"] !== null ? extra["logging"] : {}) },
  };
}

/** `gateway.bind` from the extra config (e.g. `custom` with `gateway.customBindHost`), else `loopback`. */
function bindModeOf(extra: Record<string, unknown> | undefined): string {
  const gateway = extra?.["gateway"];
  const bind = typeof gateway === "object" && gateway !== null ? (gateway as Record<string, unknown>)["bind"] : undefined;
  return typeof bind === "string" ? bind : "loopback";
}

/** Env entries carrying a shared secret for OpenClaw clients (`OPENCLAW_GATEWAY_TOKEN`/`_PASSWORD`). */
export function authEnv(auth: GatewayAuth): Record<string, string> {
  return "token" in auth ? { OPENCLAW_GATEWAY_TOKEN: auth.token } : { OPENCLAW_GATEWAY_PASSWORD: auth.password };
}

/**
 * Starts `openclaw gateway run --port P --bind <gateway.bind of options.config, default loopback>` under Node 24 with an isolated HOME,
 * state dir and config file in a fresh temp folder, on a reserved free loopback port block.
 * The secret goes into the config file (`gateway.auth.mode` + `gateway.auth.token|password`),
 * never into argv. Resolves once `/readyz` reports ready and a `health` call succeeds
 * (typically 15-30 s on 2 cores); on timeout or early exit rejects with the log tail and
 * cleans up.
 */
export async function startRealGateway(options: StartRealGatewayOptions): Promise<RealGateway> {
  const { node24, openclawBin } = await ensureOpenClaw();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await launchGateway(options, node24, openclawBin);
    } catch (error) {
      // Another process may grab a port of our block between the free-check and the gateway's
      // bind (15-30 s later); retry on a fresh block instead of failing the whole file.
      if (!(error instanceof PortInUseError) || attempt >= MAX_START_ATTEMPTS) throw error;
      process.stderr.write(`[interop] gateway port taken during start (attempt ${attempt}); retrying on another port block\n`);
    }
  }
}

/** Start attempts when the gateway's port is taken by someone else during start-up. */
const MAX_START_ATTEMPTS = 3;

/** The gateway exited because its port (or a derived one) was already in use. */
class PortInUseError extends Error {}

async function launchGateway(options: StartRealGatewayOptions, node24: string, openclawBin: string): Promise<RealGateway> {
  const block = await reservePortBlock();
  const port = block.basePort;
  const rootDir = mkdtempSync(join(tmpdir(), "clawbridge-gw-"));
  const keepDir = options.keepDir ?? process.env["CLAWBRIDGE_INTEROP_KEEP"] === "1";
  const paths: OpenClawPaths = createOpenClawPaths(rootDir);
  writeFileSync(
    paths.configPath,
    `${JSON.stringify(gatewayConfig(port, options.auth, join(rootDir, "gateway.log"), options.config ?? {}), null, 2)}\n`,
    { mode: 0o600 },
  );
  const env = isolatedEnv(paths, node24, options.env ?? {});
  const started = Date.now();
  // `--bind` beats `gateway.bind` in the config, so pass the configured mode (default loopback).
  const proc = spawnManaged(node24, [openclawBin, "gateway", "run", "--port", String(port), "--bind", bindModeOf(options.config)], {
    env,
    cwd: rootDir,
  });

  const url = `ws://127.0.0.1:${port}`;
  const httpUrl = `http://127.0.0.1:${port}`;
  const cleanupFiles = (): void => {
    block.release();
    if (!keepDir) rmSync(rootDir, { recursive: true, force: true });
  };
  const unregisterExitCleanup = onProcessExit(cleanupFiles);
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await proc.stop();
      unregisterExitCleanup();
      cleanupFiles();
    })();
    return stopped;
  };

  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const deadline = started + timeoutMs;
  let lastError = "";
  try {
    for (;;) {
      const status = proc.exitStatus();
      if (status !== undefined) {
        throw new Error(`gateway exited early (code ${status.code}, signal ${status.signal})`);
      }
      if (Date.now() > deadline) throw new Error(`gateway not ready within ${timeoutMs} ms${lastError ? ` (last: ${lastError})` : ""}`);
      if (await httpReady(`${httpUrl}/readyz`)) {
        try {
          const result = await callGateway(url, { auth: options.auth, method: "health", timeoutMs: 10_000 });
          if (result.ok) break;
          lastError = JSON.stringify(result.error);
        } catch (error) {
          lastError = (error as Error).message;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch (error) {
    const tail = proc.logTail(60);
    await stop();
    const message = `${(error as Error).message}\n--- gateway log tail ---\n${tail}`;
    throw proc.exitStatus() !== undefined && /EADDRINUSE/.test(tail) ? new PortInUseError(message) : new Error(message);
  }
  const startMs = Date.now() - started;

  const cliPaths = createOpenClawPaths(join(rootDir, "cli"));
  return {
    url,
    httpUrl,
    port,
    auth: options.auth,
    rootDir,
    homeDir: paths.homeDir,
    stateDir: paths.stateDir,
    configPath: paths.configPath,
    pid: proc.pid,
    startMs,
    clientEnv: () => isolatedEnv(cliPaths, node24, { OPENCLAW_GATEWAY_URL: url, ...authEnv(options.auth) }),
    logs: () => proc.logs(),
    stop,
  };
}

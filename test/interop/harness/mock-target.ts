import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MockGateway } from "@clawbridge/mock-gateway";
import type { MockGatewayOptions } from "@clawbridge/mock-gateway";
import { authEnv } from "./gateway.ts";
import type { RealGateway } from "./gateway.ts";
import type { GatewayAuth } from "./gateway-rpc.ts";
import { ensureOpenClaw } from "./install.ts";
import { createOpenClawPaths, isolatedEnv } from "./isolated-env.ts";
import { onProcessExit } from "./managed-process.ts";

/** A started {@link MockGateway} plus everything the real-gateway harness needs to drive it. */
export interface MockTarget extends RealGateway {
  /** The in-process mock itself (admin API, pairing, nodes, faults). */
  readonly mock: MockGateway;
}

/** Options of {@link startMockTarget}. */
export interface StartMockTargetOptions {
  /** Shared secret of the mock (token or password). */
  readonly auth: GatewayAuth;
  /** Further MockGateway options (auth is taken from `auth`). */
  readonly mock?: Omit<MockGatewayOptions, "auth">;
}

/**
 * Starts a MockGateway on loopback and dresses it as a {@link RealGateway}, so the same
 * harness helpers (`runOpenClaw({ gateway })`, `startRealNodeHost`, `approveNodeHost`,
 * `callGateway`) drive the real OpenClaw CLI and node host against the mock exactly as
 * against a real gateway: CLIs get their own isolated HOME under a temp folder plus
 * `OPENCLAW_GATEWAY_URL`/`OPENCLAW_GATEWAY_TOKEN` in env (no secret on argv).
 * `stop()` stops the mock and removes the temp folder.
 */
export async function startMockTarget(options: StartMockTargetOptions): Promise<MockTarget> {
  const { node24 } = await ensureOpenClaw();
  const mock = new MockGateway({ ...options.mock, auth: options.auth });
  const started = Date.now();
  const url = await mock.start();
  const port = mock.port;
  const rootDir = mkdtempSync(join(tmpdir(), "clawbridge-mock-"));
  const removeDir = (): void => rmSync(rootDir, { recursive: true, force: true });
  const unregister = onProcessExit(removeDir);
  const cliPaths = createOpenClawPaths(join(rootDir, "cli"));
  let stopped: Promise<void> | undefined;
  return {
    mock,
    url,
    httpUrl: `http://127.0.0.1:${port}`,
    port,
    auth: options.auth,
    rootDir,
    homeDir: cliPaths.homeDir,
    stateDir: cliPaths.stateDir,
    configPath: cliPaths.configPath,
    pid: process.pid,
    startMs: Date.now() - started,
    clientEnv: () => isolatedEnv(cliPaths, node24, { OPENCLAW_GATEWAY_URL: url, ...authEnv(options.auth) }),
    logs: () =>
      mock.logs
        .tail(undefined, 5_000, 1_000_000)
        .lines.join("\n"),
    stop: () => {
      stopped ??= (async () => {
        await mock.stop({ graceMs: 500 });
        unregister();
        removeDir();
      })();
      return stopped;
    },
  };
}

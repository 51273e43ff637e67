import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { GatewayClient } from "@clawbridge/client";
import { MockGateway, MockNode } from "@clawbridge/mock-gateway";
import type { ExecAllowlistEntry } from "@clawbridge/mock-gateway";
import { isGatewayRequestError } from "@clawbridge/rpc-core";
import { pathWithCurrentNode } from "./bin-paths.js";
import { CleanupStack } from "./cleanup-stack.js";
import { FrameTap } from "./frame-tap.js";
import { systemRunInvokeParams } from "./invoke-params.js";
import { runProcess } from "./run-process.js";

/** What WN1's `system.run` returned (`node.invoke` → `payload.payload`). */
export interface SystemRunPayload {
  /** The command's exit status (`null` when it was killed). */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** One `node.invoke system.run` on WN1, as the operator on GW1 saw it. */
export type InvokeOutcome = {
  /** argv WN1 was asked to run. */
  readonly argv: readonly string[];
  /** `performance.now()` when the operator sent `node.invoke` / got the answer (ms). */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** GW1 `node.invoke` round trip as the operator measured it (ms). */
  readonly roundTripMs: number;
} & (
  | { readonly ok: true; readonly payload: SystemRunPayload }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string; readonly details?: unknown } }
);

/** Options of {@link startSeedLab}. */
export interface SeedLabOptions {
  /** Absolute path of the built `clawbridge` bin (what WN1 runs and what sets up its remote). */
  readonly clawbridgeBin: string;
  /** GW1's shared token. Default: random. */
  readonly gw1Token?: string | undefined;
  /** GW2's shared token. Default: random. */
  readonly gw2Token?: string | undefined;
  /** Parent of the lab's temp folder. Default `os.tmpdir()`. */
  readonly tmpDir?: string | undefined;
  /**
   * A caller's teardown stack: the lab's teardown is registered on it before anything is
   * started, so a signal handler running it mid-start still stops what exists so far.
   */
  readonly cleanup?: CleanupStack | undefined;
}

/**
 * Two mock clusters on loopback, wired as in the seed design: GW1 with worker node WN1
 * (command surface approved, exec policy `allowlist`), GW2 with WN2, an operator client
 * on GW1, and WN1's clawbridge config dir holding a `gw2` remote whose token is in a
 * 0600 file. Both gateways sit behind a {@link FrameTap} so every frame is on record.
 */
export interface SeedLab {
  /** The lab's temp folder (0700), removed by `stop()`. */
  readonly dir: string;
  readonly gw1: MockGateway;
  readonly gw2: MockGateway;
  /** GW1's clients (the operator, WN1) connect through this tap: "GW1's recorded traffic". */
  readonly gw1Tap: FrameTap;
  /** GW2's clients (clawbridge on WN1, the skill, the relay) connect through this tap. */
  readonly gw2Tap: FrameTap;
  readonly wn1: MockNode;
  readonly wn2: MockNode;
  /**
   * WN1's exec allowlist (its approvals document). Mutable on purpose: pushing an entry is
   * `openclaw approvals allowlist add` on a running node; MockNode reads it per run.
   */
  readonly wn1Allowlist: ExecAllowlistEntry[];
  /** WN1's own environment (inherited by what it runs): `CLAWBRIDGE_CONFIG_DIR`, and GW1's token as OpenClaw's node has it. */
  readonly wn1Env: NodeJS.ProcessEnv;
  /** WN1's `CLAWBRIDGE_CONFIG_DIR` (0700). */
  readonly wn1ConfigDir: string;
  /** WN1's HOME (skills are installed below it). */
  readonly wn1Home: string;
  /** The 0600 file the `gw2` remote reads GW2's token from. */
  readonly gw2TokenFile: string;
  readonly gw1Token: string;
  readonly gw2Token: string;
  /** The operator (client of GW1) that sends `node.invoke`. */
  readonly operator: GatewayClient;
  /**
   * The agent's action on GW1: `node.invoke` `system.run` on WN1 with the params the real
   * gateway needs ({@link systemRunInvokeParams}).
   *
   * @param argv - argv for WN1 (argv[0] an absolute path)
   * @param timeoutMs - `system.run` timeout (ms); `node.invoke` gets 15 s more. Default 60 000.
   */
  invoke(argv: readonly string[], timeoutMs?: number): Promise<InvokeOutcome>;
  /** Takes GW2 (and its tap) down, for the "GW2 unreachable" path. Idempotent. */
  stopGw2(): Promise<void>;
  /** Registers extra teardown (run before the lab's own, LIFO). */
  onStop(label: string, run: () => unknown): void;
  /** Stops everything and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

function randomToken(prefix: string): string {
  return `${prefix}-${randomBytes(18).toString("base64url")}`;
}

/**
 * Starts the two clusters and configures WN1 (see {@link SeedLab}). The `gw2` remote is
 * added with the real `clawbridge remote add` (token from file, scope ceiling
 * `operator.read`), as WN1's operator would. WN1's allowlist starts empty: callers
 * allowlist what each flow runs. Everything is torn down if a step fails.
 */
export async function startSeedLab(options: SeedLabOptions): Promise<SeedLab> {
  const cleanup = new CleanupStack();
  options.cleanup?.add("stop the seed lab", () => cleanup.run());
  const dir = mkdtempSync(join(options.tmpDir ?? tmpdir(), "clawbridge-demo-"));
  cleanup.add("remove the lab folder", () => rmSync(dir, { recursive: true, force: true }));
  try {
    const gw1Token = options.gw1Token ?? randomToken("gw1");
    const gw2Token = options.gw2Token ?? randomToken("gw2");
    const wn1Home = join(dir, "wn1", "home");
    const wn1ConfigDir = join(dir, "wn1", "config");
    mkdirSync(wn1Home, { recursive: true, mode: 0o700 });
    mkdirSync(join(wn1ConfigDir, "secrets"), { recursive: true, mode: 0o700 });
    const gw2TokenFile = join(wn1ConfigDir, "secrets", "gw2.token");
    writeFileSync(gw2TokenFile, `${gw2Token}\n`, { mode: 0o600 });

    // Cluster 2: GW2 and its worker node WN2 (command surface approved).
    const gw2 = new MockGateway({ auth: { token: gw2Token } });
    await gw2.start();
    let gw2Stopped: Promise<void> | undefined;
    const stopGw2Gateway = (): Promise<void> => (gw2Stopped ??= gw2.stop({ graceMs: 50 }));
    cleanup.add("stop GW2", stopGw2Gateway);
    const gw2Tap = await FrameTap.start(gw2.url);
    cleanup.add("stop GW2's tap", () => gw2Tap.stop());
    const wn2 = new MockNode({ url: gw2.url, token: gw2Token, displayName: "WN2", commands: ["system.run"] });
    await wn2.start();
    cleanup.add("stop WN2", () => wn2.stop());
    gw2.approveNodePairing(wn2.nodeId);

    // Cluster 1: GW1 and WN1. WN1's own environment holds GW1's token, as OpenClaw's node
    // host has it (OPENCLAW_GATEWAY_TOKEN): what WN1 runs inherits it, and it must never reach GW2.
    const gw1 = new MockGateway({ auth: { token: gw1Token } });
    await gw1.start();
    cleanup.add("stop GW1", () => gw1.stop({ graceMs: 50 }));
    const gw1Tap = await FrameTap.start(gw1.url);
    cleanup.add("stop GW1's tap", () => gw1Tap.stop());
    const wn1Env: NodeJS.ProcessEnv = {
      PATH: pathWithCurrentNode(),
      HOME: wn1Home,
      CLAWBRIDGE_CONFIG_DIR: wn1ConfigDir,
      OPENCLAW_GATEWAY_URL: gw1Tap.url,
      OPENCLAW_GATEWAY_TOKEN: gw1Token,
      NO_COLOR: "1",
      ...(process.env["LANG"] !== undefined ? { LANG: process.env["LANG"] } : {}),
    };
    const wn1Allowlist: ExecAllowlistEntry[] = [];
    const wn1 = new MockNode({
      url: gw1Tap.url,
      token: gw1Token,
      displayName: "WN1",
      commands: ["system.run"],
      security: "allowlist",
      execAllowlist: wn1Allowlist,
      env: wn1Env,
    });
    await wn1.start();
    cleanup.add("stop WN1", () => wn1.stop());
    gw1.approveNodePairing(wn1.nodeId);

    const added = await runProcess(
      options.clawbridgeBin,
      ["remote", "add", "gw2", "--url", gw2Tap.url, "--token-file", gw2TokenFile, "--scopes", "operator.read", "--json"],
      { env: wn1Env, cwd: wn1Home },
    );
    if (added.code !== 0) throw new Error(`clawbridge remote add gw2 exited ${added.code}: ${added.stderr.trim()}`);

    const operatorDir = join(dir, "operator");
    mkdirSync(operatorDir, { mode: 0o700 });
    const operator = new GatewayClient({ url: gw1Tap.url, token: gw1Token, methods: ["node.invoke"], configDir: operatorDir });
    await operator.connect();
    cleanup.add("close the operator", () => operator.close());

    const invoke = async (argv: readonly string[], timeoutMs = 60_000): Promise<InvokeOutcome> => {
      const params = systemRunInvokeParams(wn1.nodeId, argv, timeoutMs);
      const startedAtMs = performance.now();
      try {
        const result = await operator.call<{ payload: SystemRunPayload }>("node.invoke", params, { timeoutMs: timeoutMs + 20_000 });
        const endedAtMs = performance.now();
        return { argv, startedAtMs, endedAtMs, roundTripMs: endedAtMs - startedAtMs, ok: true, payload: result.payload };
      } catch (error) {
        if (!isGatewayRequestError(error)) throw error;
        const endedAtMs = performance.now();
        const shape = error.toErrorShape();
        return {
          argv,
          startedAtMs,
          endedAtMs,
          roundTripMs: endedAtMs - startedAtMs,
          ok: false,
          error: { code: shape.code, message: shape.message, ...(shape.details !== undefined ? { details: shape.details } : {}) },
        };
      }
    };

    return {
      dir,
      gw1,
      gw2,
      gw1Tap,
      gw2Tap,
      wn1,
      wn2,
      wn1Allowlist,
      wn1Env,
      wn1ConfigDir,
      wn1Home,
      gw2TokenFile,
      gw1Token,
      gw2Token,
      operator,
      invoke,
      stopGw2: async () => {
        await gw2Tap.stop();
        await stopGw2Gateway();
      },
      onStop: (label, run) => {
        cleanup.add(label, run);
      },
      stop: async () => {
        await cleanup.run();
      },
    };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
}

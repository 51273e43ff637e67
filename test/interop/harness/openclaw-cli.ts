import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RealGateway } from "./gateway.ts";
import { ensureOpenClaw } from "./install.ts";
import { runProcess } from "./run-process.ts";

/** Result of one OpenClaw CLI run. */
export interface OpenClawRunResult {
  /** Exit code (`null` if killed by a signal, e.g. on timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, in ms. */
  readonly durationMs: number;
  /** Peak resident set size in KiB (only with `measureRss` and `/usr/bin/time` present). */
  readonly peakRssKb?: number;
  /** `true` if the run was killed after `timeoutMs`. */
  readonly timedOut: boolean;
}

/** Options of {@link runOpenClaw}. */
export interface RunOpenClawOptions {
  /**
   * Gateway to talk to: the CLI gets `gateway.clientEnv()` (own isolated HOME/state plus
   * `OPENCLAW_GATEWAY_URL` and `OPENCLAW_GATEWAY_TOKEN`/`_PASSWORD`), so no secret is on argv.
   */
  readonly gateway?: RealGateway;
  /** Complete env to use instead of `gateway.clientEnv()`; `extraEnv` is applied on top. */
  readonly env?: NodeJS.ProcessEnv;
  /** Variables added last. */
  readonly extraEnv?: Record<string, string>;
  /** Text fed to stdin (stdin is closed afterwards). */
  readonly stdin?: string;
  /** Kill the process group after this many ms (default 60 000). */
  readonly timeoutMs?: number;
  /** Wrap in `/usr/bin/time` to report `peakRssKb`. */
  readonly measureRss?: boolean;
  /** Working directory. */
  readonly cwd?: string;
}

/**
 * Runs `openclaw <args>` under Node 24 and collects stdout, stderr, exit code and wall time.
 * Pass secrets through `gateway`/`env`, never in `args` (argv is visible in the process list);
 * note that the real CLI's `--url` requires an explicit `--token`, so prefer
 * `OPENCLAW_GATEWAY_URL` + `OPENCLAW_GATEWAY_TOKEN` (what `gateway.clientEnv()` sets).
 */
export async function runOpenClaw(args: readonly string[], options: RunOpenClawOptions = {}): Promise<OpenClawRunResult> {
  const { node24, openclawBin } = await ensureOpenClaw();
  const baseEnv = options.env ?? options.gateway?.clientEnv();
  if (baseEnv === undefined) throw new Error("runOpenClaw needs either `gateway` or `env`");
  const env = { ...baseEnv, ...options.extraEnv };
  const timeDir = options.measureRss === true && existsSync("/usr/bin/time") ? mkdtempSync(join(tmpdir(), "clawbridge-time-")) : undefined;
  const timeFile = timeDir !== undefined ? join(timeDir, "rss") : undefined;
  const [command, argv] =
    timeFile !== undefined ? ["/usr/bin/time", ["-f", "%M", "-o", timeFile, node24, openclawBin, ...args]] : [node24, [openclawBin, ...args]];
  // runProcess kills the whole tree on timeout: the CLI re-executes itself in a new process group.
  const { code, stdout, stderr, durationMs, timedOut } = await runProcess(command, argv, {
    env,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  let peakRssKb: number | undefined;
  if (timeFile !== undefined && timeDir !== undefined) {
    const text = existsSync(timeFile) ? readFileSync(timeFile, "utf8") : "";
    const value = Number.parseInt(text.trim().split("\n").pop() ?? "", 10);
    if (Number.isFinite(value)) peakRssKb = value;
    rmSync(timeDir, { recursive: true, force: true });
  }
  return { code, stdout, stderr, durationMs, timedOut, ...(peakRssKb !== undefined ? { peakRssKb } : {}) };
}

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ensureOpenClaw, REPO_ROOT } from "./install.ts";
import { killProcessTree } from "./managed-process.ts";
import type { NetNamespace } from "./netns.ts";

/** The built `clawbridge` bin (`pnpm build`). */
export const CLAWBRIDGE_BIN: string = join(REPO_ROOT, "apps", "cli", "dist", "bin", "clawbridge");
/** The built `clawbridge-relay` bin (`pnpm build`). */
export const RELAY_BIN: string = join(REPO_ROOT, "apps", "relay", "dist", "main.js");
/** The built `@clawbridge/client` entry (`pnpm build`). */
export const CLIENT_DIST: string = join(REPO_ROOT, "packages", "client", "dist", "index.js");

/** What one finished child process did. */
export interface ProcessResult {
  /** Exit code (`null` when killed by a signal, e.g. on timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, in ms. */
  readonly durationMs: number;
  /** `true` when the run was killed after `timeoutMs`. */
  readonly timedOut: boolean;
  /** Exactly what was executed (for "no secret on argv" assertions). */
  readonly argv: readonly string[];
  /** Exactly the environment it got (nothing is inherited implicitly). */
  readonly env: NodeJS.ProcessEnv;
}

/** Options of {@link runProcess}. */
export interface RunProcessOptions {
  /** Complete environment of the child (nothing is inherited). */
  readonly env: NodeJS.ProcessEnv;
  /** Run inside this network namespace (`ip netns exec <ns> …`, which keeps the env). */
  readonly netns?: NetNamespace;
  /** Text written to stdin, which is then closed (default: closed immediately). */
  readonly stdin?: string;
  /** Kill the whole process tree after this many ms (default 60 000). */
  readonly timeoutMs?: number;
  readonly cwd?: string;
}

/**
 * Runs `command args` in its own process group, optionally inside a network namespace, and
 * collects output, exit code and timing. Secrets belong in `env`/`stdin`/files, never in `args`.
 */
export async function runProcess(command: string, args: readonly string[], options: RunProcessOptions): Promise<ProcessResult> {
  const argv = [...(options.netns?.execPrefix ?? []), command, ...args];
  const [file, ...rest] = argv as [string, ...string[]];
  const started = Date.now();
  const child = spawn(file, rest, { env: options.env, cwd: options.cwd, detached: true, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdin.on("error", () => undefined);
  child.stdin.end(options.stdin ?? "");
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) killProcessTree(child.pid);
  }, options.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (exitCode) => resolve(exitCode));
  });
  clearTimeout(timer);
  if (child.pid !== undefined) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // group already gone (the normal case)
    }
  }
  return { code, stdout, stderr, durationMs: Date.now() - started, timedOut, argv, env: options.env };
}

/** Options of {@link runClawbridge}. */
export type RunClawbridgeOptions = RunProcessOptions;

/** Runs the built `clawbridge` bin under this Node (20, as on a worker node). */
export async function runClawbridge(args: readonly string[], options: RunClawbridgeOptions): Promise<ProcessResult> {
  if (!existsSync(CLAWBRIDGE_BIN)) throw new Error(`${CLAWBRIDGE_BIN} is missing: run \`pnpm build\` first`);
  return runProcess(process.execPath, [CLAWBRIDGE_BIN, ...args], options);
}

/** Runs the real `openclaw` CLI under Node 24 (optionally inside a namespace). */
export async function runOpenClawProcess(args: readonly string[], options: RunProcessOptions): Promise<ProcessResult> {
  const { node24, openclawBin } = await ensureOpenClaw();
  return runProcess(node24, [openclawBin, ...args], options);
}

/** Parses stdout as one JSON document, failing with the whole output when it is not. */
export function jsonOf(result: ProcessResult): unknown {
  try {
    return JSON.parse(result.stdout) as unknown;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${String(result.code)}):\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  }
}

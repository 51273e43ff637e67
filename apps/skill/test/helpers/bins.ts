import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";

/** The built, bundled skill bin: tests run what WN1 runs. */
export const SKILL_BIN = resolve(import.meta.dirname, "../../dist/bin/remote-gateway");
/** Its folder: put it on PATH to make `remote-gateway` resolvable (as an npm global install does). */
export const SKILL_BIN_DIR = dirname(SKILL_BIN);
/** The built `clawbridge` CLI (for `skill install` / `skill doctor`). */
export const CLI_BIN = resolve(import.meta.dirname, "../../../cli/dist/bin/clawbridge");

/** Fails fast when a bin has not been built. */
export function assertBuilt(): void {
  for (const bin of [SKILL_BIN, CLI_BIN]) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first`);
  }
}

/** Result of one finished process. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A private temp dir for one test file, removed by `cleanup`. */
export async function tempDir(prefix = "clawbridge-skill-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A minimal environment: PATH (with this Node first, so the bin's `#!/usr/bin/env node`
 * finds it), HOME and the config dir, plus `extra`. Nothing leaks in from the developer's
 * shell (no OPENCLAW_*, no CLAWBRIDGE_LOG).
 */
export function cleanEnv(configDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const path = [dirname(process.execPath), process.env["PATH"] ?? "/usr/bin:/bin"].join(delimiter);
  return { PATH: path, HOME: configDir, CLAWBRIDGE_CONFIG_DIR: configDir, ...extra };
}

/** Runs an executable to completion (no shell: argv goes through as given). */
export function run(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<RunResult> {
  const child = spawn(command, [...args], { env: options.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  return new Promise((resolvePromise, reject) => {
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Runs `remote-gateway <args>` (the executable itself, through its shebang). */
export function runSkill(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs?: number): Promise<RunResult> {
  return run(SKILL_BIN, args, { env, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

/** Runs `clawbridge <args>` with the current Node. */
export function runClawbridge(args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<RunResult> {
  return run(process.execPath, [CLI_BIN, ...args], options);
}

/** Parses stdout as exactly one JSON document. */
export function json<T = Record<string, unknown>>(result: RunResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${String(result.code)}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

/** Writes `<configDir>/remotes.json` (mode 0600, as the store requires). */
export async function writeRemotes(configDir: string, remotes: Record<string, unknown>): Promise<void> {
  const path = join(configDir, "remotes.json");
  await writeFile(path, `${JSON.stringify({ version: 1, remotes }, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

/** Writes a 0600 secret file and returns its path. */
export async function writeSecretFile(path: string, secret: string): Promise<string> {
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return path;
}

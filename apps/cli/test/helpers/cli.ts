import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll } from "vitest";

/** The built, bundled bin — tests run what users run. */
export const CLI_BIN = resolve(import.meta.dirname, "../../dist/bin/clawbridge");

/** Fails fast with a clear message when the bin has not been built. */
export function assertBuilt(): void {
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: run \`pnpm run build\` in apps/cli first`);
}

/** Result of one finished CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runCli} / {@link startCli}. */
export interface CliOptions {
  /** The complete environment (see {@link cleanEnv}). */
  readonly env: NodeJS.ProcessEnv;
  /** Text written to stdin, which is then closed. Default: empty. */
  readonly stdin?: string | undefined;
  /** Kill after this long (ms). Default 60 000 (generous: CI machines can be slow). */
  readonly timeoutMs?: number | undefined;
  readonly cwd?: string | undefined;
}

/** A private config dir and HOME for one test file, removed by `cleanup`. */
export async function tempDir(prefix = "clawbridge-cli-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A minimal environment: PATH plus the given variables. Nothing leaks in from the
 * developer's shell (no OPENCLAW_* variables, no NO_COLOR, no CLAWBRIDGE_LOG).
 */
export function cleanEnv(configDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: configDir, CLAWBRIDGE_CONFIG_DIR: configDir, ...extra };
}

/** Reads a fixture value set by a `beforeAll`; throws a clear error when read too early. */
export function fixtureValue<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is set in beforeAll: read it inside a test or hook`);
  return value;
}

/** Options of {@link useConfigDir}. */
export interface ConfigDirOptions {
  /** Prefix of the temp dir's name. Default `clawbridge-cli-`. */
  readonly prefix?: string | undefined;
  /** Variables {@link cleanEnv} adds to `env`. Default: none. */
  readonly env?: Record<string, string> | undefined;
}

/** A private config dir (also HOME) and the clean environment pointing at it. */
export interface ConfigDirFixture {
  readonly dir: string;
  /** `cleanEnv(dir, options.env)`. */
  readonly env: NodeJS.ProcessEnv;
}

/** The set-up and tear-down behind {@link useConfigDir}, for fixtures that build on it. */
export function configDirLifecycle(options: ConfigDirOptions = {}): {
  readonly fixture: ConfigDirFixture;
  start(): Promise<void>;
  stop(): Promise<void>;
} {
  let state: { dir: string; env: NodeJS.ProcessEnv; cleanup: () => Promise<void> } | undefined;
  return {
    fixture: {
      get dir() {
        return fixtureValue(state, "the config dir").dir;
      },
      get env() {
        return fixtureValue(state, "the config dir's env").env;
      },
    },
    async start() {
      assertBuilt();
      const { dir, cleanup } = await tempDir(options.prefix);
      state = { dir, env: cleanEnv(dir, options.env), cleanup };
    },
    async stop() {
      await state?.cleanup();
    },
  };
}

/**
 * Checks that the bin is built and gives the enclosing `describe` (or file) a private config
 * dir with its clean environment, removed after the last test. Read `dir`/`env` inside tests.
 */
export function useConfigDir(options: ConfigDirOptions = {}): ConfigDirFixture {
  const lifecycle = configDirLifecycle(options);
  beforeAll(() => lifecycle.start());
  afterAll(() => lifecycle.stop());
  return lifecycle.fixture;
}

/** Spawns the bin with the current Node (never a shell: argv goes through as given). */
export function startCli(args: readonly string[], options: CliOptions): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { env: options.env, cwd: options.cwd, stdio: "pipe" });
  child.stdin.on("error", () => undefined);
  return child;
}

/** Runs the bin to completion and collects its output. */
export function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const child = startCli(args, options);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdin.end(options.stdin ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  return new Promise((resolvePromise, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** A long-running CLI process whose stdout lines a test can wait for. */
export interface RunningCli {
  readonly child: ChildProcessWithoutNullStreams;
  /** stdout lines so far. */
  readonly lines: string[];
  /** stderr so far. */
  stderr(): string;
  /** Resolves with the first stdout line (already seen or future) matching `predicate`. */
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when stderr contains `text`. */
  waitForStderr(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit result. */
  readonly exited: Promise<CliResult>;
}

/** Starts the bin and tracks its stdout line by line. */
export function runningCli(args: readonly string[], options: CliOptions): RunningCli {
  const child = startCli(args, options);
  const lines: string[] = [];
  let stdout = "";
  let buffer = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    stdout += text;
    buffer += text;
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts);
    notify();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    notify();
  });
  if (options.stdin !== undefined) child.stdin.end(options.stdin);
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
  const exited = new Promise<CliResult>((resolvePromise) => {
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      notify();
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
  const waitFor = <T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> =>
    new Promise<T>((resolvePromise, reject) => {
      const attempt = (): boolean => {
        const found = check();
        if (found === undefined) return false;
        listeners.delete(listener);
        clearTimeout(deadline);
        resolvePromise(found);
        return true;
      };
      const listener = (): void => {
        if (attempt()) return;
        if (child.exitCode !== null || child.signalCode !== null) {
          listeners.delete(listener);
          clearTimeout(deadline);
          reject(new Error(`CLI exited (${child.exitCode ?? child.signalCode}) before ${what}; stderr: ${stderr}`));
        }
      };
      const deadline = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`timed out waiting for ${what}; stdout: ${stdout}; stderr: ${stderr}`));
      }, timeoutMs);
      listeners.add(listener);
      listener();
    });
  return {
    child,
    lines,
    stderr: () => stderr,
    waitForLine: (predicate, timeoutMs = 30_000) => waitFor(() => lines.find(predicate), "a stdout line", timeoutMs),
    waitForStderr: (text, timeoutMs = 30_000) => waitFor(() => (stderr.includes(text) ? true : undefined), `stderr "${text}"`, timeoutMs).then(() => undefined),
    exited,
  };
}

/** Parses stdout as exactly one JSON document (throws otherwise: the `--json` contract). */
export function singleJson(stdout: string): unknown {
  return JSON.parse(stdout) as unknown;
}

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Exit status of a managed process. */
export interface ExitStatus {
  /** Exit code, or `null` when killed by a signal. */
  readonly code: number | null;
  /** Terminating signal, or `null`. */
  readonly signal: NodeJS.Signals | null;
}

/** A child process running in its own process group, with captured output. */
export interface ManagedProcess {
  /** Pid of the group leader (= process group id). */
  readonly pid: number;
  /** Combined stdout+stderr so far (last {@link MAX_LOG_CHARS} characters). */
  logs(): string;
  /** The last `lines` lines of {@link logs} (default 40). */
  logTail(lines?: number): string;
  /** Resolves when the group leader has exited. */
  readonly exited: Promise<ExitStatus>;
  /** Exit status once exited, else `undefined`. */
  exitStatus(): ExitStatus | undefined;
  /**
   * Sends SIGTERM to the whole process group, waits up to `graceMs` (default 15 000) for the
   * leader to exit, then SIGKILLs whatever is left of the group. Idempotent.
   */
  stop(graceMs?: number): Promise<ExitStatus>;
}

/** Output kept per process, in characters (older output is dropped). */
export const MAX_LOG_CHARS = 2_000_000;

const liveGroups = new Set<number>();
const exitCleanups = new Set<() => void>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last line of defence: never leave a gateway or node host behind when the test process exits.
  process.on("exit", () => {
    for (const pgid of liveGroups) {
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {
        // group already gone
      }
    }
    for (const cleanup of exitCleanups) {
      try {
        cleanup();
      } catch {
        // best effort at exit
      }
    }
  });
}

/**
 * Registers a synchronous cleanup (e.g. removing a temp folder) to run if the process exits
 * before it was unregistered; returns the unregister function. Runs after the exit hook has
 * SIGKILLed all live process groups.
 */
export function onProcessExit(cleanup: () => void): () => void {
  installExitHook();
  exitCleanups.add(cleanup);
  return () => {
    exitCleanups.delete(cleanup);
  };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // group already gone
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Process group id of `pid` from `/proc/<pid>/stat`, or `undefined` if unreadable. */
function processGroupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[2]);
  } catch {
    return undefined;
  }
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** Options of {@link spawnManaged}. */
export interface SpawnManagedOptions {
  /** Complete environment of the child (nothing is inherited implicitly). */
  readonly env: NodeJS.ProcessEnv;
  /** Working directory (default: current). */
  readonly cwd?: string;
  /** Text written to stdin, which is then closed (default: stdin closed immediately). */
  readonly stdin?: string;
}

/**
 * Spawns `command args` as the leader of a new process group (so `stop()` can take down every
 * helper process it forks) and captures its output. Secrets must not be passed in `args`
 * (they would be visible in the process list): use `env` or a config file.
 */
export function spawnManaged(command: string, args: readonly string[], options: SpawnManagedOptions): ManagedProcess {
  installExitHook();
  const child: ChildProcess = spawn(command, [...args], {
    env: options.env,
    cwd: options.cwd,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`failed to spawn ${command}`);
  const pgid = child.pid;
  liveGroups.add(pgid);
  let output = "";
  const append = (chunk: Buffer): void => {
    output += chunk.toString("utf8");
    if (output.length > MAX_LOG_CHARS) output = output.slice(output.length - MAX_LOG_CHARS);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  child.stdin?.on("error", () => undefined);
  child.stdin?.end(options.stdin ?? "");
  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once("exit", (code, signal) => {
      status = { code, signal };
      resolve(status);
      setTimeout(() => {
        if (!groupAlive(pgid)) liveGroups.delete(pgid);
      }, 2_500).unref();
    });
    child.once("error", (error) => {
      append(Buffer.from(`\n[spawn error] ${error.message}\n`));
      status = { code: null, signal: null };
      resolve(status);
    });
  });
  let stopping: Promise<ExitStatus> | undefined;

  const logs = (): string => output;
  return {
    pid: pgid,
    logs,
    logTail: (lines = 40) => output.split("\n").slice(-lines).join("\n"),
    exited,
    exitStatus: () => status,
    stop(graceMs = 15_000): Promise<ExitStatus> {
      stopping ??= (async () => {
        // Helpers that moved to their own process group are not reached by the group signal.
        const outsideGroup = descendantPids(pgid).filter((pid) => processGroupOf(pid) !== pgid);
        for (const pid of outsideGroup) signalPid(pid, "SIGTERM");
        if (status === undefined) signalGroup(pgid, "SIGTERM");
        const result = await Promise.race([
          exited,
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), graceMs)),
        ]);
        if (result === undefined) signalGroup(pgid, "SIGKILL");
        const finalStatus = await exited;
        // Helpers the leader forked may outlive it briefly; give them 2 s, then kill the rest.
        if (!(await waitGroupGone(pgid, 2_000))) {
          signalGroup(pgid, "SIGKILL");
          await waitGroupGone(pgid, 5_000);
        }
        for (const pid of outsideGroup) signalPid(pid, "SIGKILL");
        liveGroups.delete(pgid);
        return finalStatus;
      })();
      return stopping;
    },
  };
}

/**
 * Pids of all live descendants of `rootPid` (children, grandchildren, …), read from `/proc`.
 * Needed because the real OpenClaw CLI re-executes itself in a new process group, which a
 * process-group kill does not reach. Returns `[]` where `/proc` is unavailable.
 */
export function descendantPids(rootPid: number): number[] {
  const parentOf = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Format: pid (comm) state ppid …; comm may contain spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // process exited while scanning
    }
  }
  const result: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [pid, ppid] of parentOf) {
      if (ppid === parent) {
        result.push(pid);
        queue.push(pid);
      }
    }
  }
  return result;
}

/** SIGKILLs `rootPid`'s whole process tree (descendants first found via `/proc`, then its group). */
export function killProcessTree(rootPid: number): void {
  for (const pid of descendantPids(rootPid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  signalGroup(rootPid, "SIGKILL");
}

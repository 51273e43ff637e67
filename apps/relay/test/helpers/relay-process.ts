import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** The built bin, as a fresh clone runs it after `pnpm build`. */
export const RELAY_BIN = join(import.meta.dirname, "..", "..", "dist", "main.js");

/** A `clawbridge-relay` child process with its stderr JSON lines collected. */
export interface RelayProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  /** Resolves with the first line (already seen or future) that `match` accepts. */
  line(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  /** Client and admin URLs from the "relay listening" line. */
  readonly ready: Promise<{ url: string; admin: string }>;
  kill(): void;
}

/** Spawns the built bin with `args`; stderr must be JSON lines (pino). */
export function spawnRelay(args: readonly string[], env: NodeJS.ProcessEnv = {}): RelayProcess {
  if (!existsSync(RELAY_BIN)) throw new Error(`${RELAY_BIN} is missing: run pnpm build first`);
  const child = spawn(process.execPath, [RELAY_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  const lines: Record<string, unknown>[] = [];
  const waiters: { match: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { msg: text, raw: true };
    }
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  const line = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> => {
    const seen = lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching relay log line; last lines: ${JSON.stringify(lines.slice(-5))}`)), timeoutMs);
      waiters.push({
        match,
        resolve: (found) => {
          clearTimeout(timer);
          resolve(found);
        },
      });
    });
  };
  const ready = line((entry) => entry["msg"] === "relay listening").then((entry) => ({ url: String(entry["url"]), admin: String(entry["admin"]) }));
  return { child, lines, line, exited, ready, kill: () => child.kill("SIGKILL") };
}

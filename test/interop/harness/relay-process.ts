import { existsSync } from "node:fs";
import { spawnManaged } from "./managed-process.ts";
import type { ManagedProcess } from "./managed-process.ts";
import { RELAY_BIN } from "./run-process.ts";

/** A running `clawbridge-relay` child process (the built bin). */
export interface RelayProcess {
  /** Client URL from its "relay listening" log line, e.g. `ws://127.0.0.1:40123`. */
  readonly url: string;
  /** Admin base URL (`/healthz`, `/readyz`, `/metrics`). */
  readonly adminUrl: string;
  readonly process: ManagedProcess;
  /** Its stderr/stdout JSON log lines so far (non-JSON lines as `{msg, raw: true}`). */
  lines(): Record<string, unknown>[];
  /** SIGTERM (drain), SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

function parseLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        const value = JSON.parse(line) as unknown;
        return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : { msg: line, raw: true };
      } catch {
        return { msg: line, raw: true };
      }
    });
}

/**
 * Spawns `clawbridge-relay --config <configPath>` (Node 20, own process group, complete `env`),
 * waits for its "relay listening" line and then for `/readyz` 200 (every upstream connected
 * and granted its scopes). Rejects with the log tail on timeout or early exit, after stopping it.
 */
export async function startRelayProcess(configPath: string, env: NodeJS.ProcessEnv, readyTimeoutMs = 60_000): Promise<RelayProcess> {
  if (!existsSync(RELAY_BIN)) throw new Error(`${RELAY_BIN} is missing: run \`pnpm build\` first (apps/relay)`);
  const proc = spawnManaged(process.execPath, [RELAY_BIN, "--config", configPath], { env });
  const lines = (): Record<string, unknown>[] => parseLines(proc.logs());
  const stop = async (graceMs = 10_000): Promise<void> => {
    await proc.stop(graceMs);
  };
  const deadline = Date.now() + readyTimeoutMs;
  try {
    let listening: Record<string, unknown> | undefined;
    for (;;) {
      const status = proc.exitStatus();
      if (status !== undefined) throw new Error(`relay exited early (code ${String(status.code)}, signal ${String(status.signal)})`);
      listening ??= lines().find((line) => line["msg"] === "relay listening");
      if (listening !== undefined) {
        const adminUrl = String(listening["admin"]);
        const ready = await fetch(`${adminUrl}/readyz`, { signal: AbortSignal.timeout(2_000) })
          .then((res) => res.status === 200)
          .catch(() => false);
        if (ready) return { url: String(listening["url"]), adminUrl, process: proc, lines, stop };
      }
      if (Date.now() > deadline) {
        const readyz = listening !== undefined ? await fetch(`${String(listening["admin"])}/readyz`).then((res) => res.text()).catch((error: unknown) => String(error)) : "(not listening)";
        throw new Error(`relay not ready within ${readyTimeoutMs} ms; /readyz: ${readyz}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch (error) {
    const tail = proc.logTail(40);
    await proc.stop(5_000);
    throw new Error(`${(error as Error).message}\n--- relay log tail ---\n${tail}`);
  }
}

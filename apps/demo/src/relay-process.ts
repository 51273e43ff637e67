import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { CleanupStack } from "./cleanup-stack.js";

/** Options of {@link startRelay}. */
export interface StartRelayOptions {
  /** Absolute path of the built `clawbridge-relay` bin. */
  readonly bin: string;
  /** Folder for the relay's config, its copy of GW2's token, state and audit log (created 0700). */
  readonly dir: string;
  /** GW2's URL (the relay's upstream `gw2`). */
  readonly gw2Url: string;
  /** GW2's token: only the relay holds it (written to `<dir>/gw2.token`, 0600). */
  readonly gw2Token: string;
  /** Where WN1's relay-issued client token is written (0600). The relay keeps only its SHA-256. */
  readonly clientTokenFile: string;
  /** Environment of the relay process. Default: `PATH` only. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Give up waiting for `/readyz` after this long (ms). Default 15 000. */
  readonly readyTimeoutMs?: number | undefined;
  /** The relay's `stop` is registered here right after the spawn (before it is ready). */
  readonly cleanup?: CleanupStack | undefined;
}

/** A running `clawbridge-relay` child process. */
export interface RelayProcess {
  /** `ws://127.0.0.1:<port>` (clients add `/gw/gw2`). */
  readonly url: string;
  /** `http://127.0.0.1:<port>` (`/healthz`, `/readyz`, `/metrics`). */
  readonly adminUrl: string;
  readonly pid: number;
  /** The relay config file. */
  readonly configFile: string;
  /** The audit log file (JSON lines). */
  readonly auditFile: string;
  /** The relay's stderr so far (operational log, JSON lines). */
  logs(): string;
  /** SIGTERM (drain), SIGKILL after `graceMs` (default 3 000). Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The relay config the demo runs: one upstream `gw2` (token from a 0600 file, `operator.read`
 * only) and one client `wn1` (token hash; `node.list`/`health`/`status` on gw2, nothing else).
 */
export function demoRelayConfig(gw2Url: string, clientTokenSha256: string): string {
  return [
    "listen: { host: 127.0.0.1, port: 0 }",
    "admin: { host: 127.0.0.1, port: 0 }",
    "stateDir: state",
    "log:",
    "  level: info",
    "  audit: { file: audit.jsonl }",
    "limits: { drainTimeoutMs: 1000 }",
    "upstreams:",
    "  gw2:",
    `    url: ${gw2Url}`,
    "    token: { file: gw2.token }",
    "    scopes: [operator.read]",
    "clients:",
    "  wn1:",
    `    tokenSha256: ${clientTokenSha256}`,
    "    upstreams: [gw2]",
    "    allow: [node.list, health, status]",
    "",
  ].join("\n");
}

async function waitReady(adminUrl: string, deadline: number, exited: () => boolean): Promise<void> {
  let last = "";
  while (Date.now() < deadline) {
    if (exited()) throw new Error("clawbridge-relay exited before it was ready");
    try {
      const res = await fetch(`${adminUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      last = await res.text();
      if (res.status === 200) return;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`clawbridge-relay not ready: ${last}`);
}

/**
 * Writes the relay's files (config, GW2's token, WN1's relay token) and starts the real
 * `clawbridge-relay --config relay.yaml`; resolves when it logged "relay listening" and
 * `/readyz` is 200 (its upstream link to GW2 is open and authorized). On failure the
 * process is killed and the error carries its log.
 */
export async function startRelay(options: StartRelayOptions): Promise<RelayProcess> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const clientToken = randomBytes(32).toString("base64url");
  writeFileSync(options.clientTokenFile, `${clientToken}\n`, { mode: 0o600 });
  writeFileSync(join(options.dir, "gw2.token"), `${options.gw2Token}\n`, { mode: 0o600 });
  const configFile = join(options.dir, "relay.yaml");
  const tokenSha256 = createHash("sha256").update(clientToken).digest("hex");
  writeFileSync(configFile, demoRelayConfig(options.gw2Url, tokenSha256), { mode: 0o600 });

  const env = options.env ?? { PATH: process.env["PATH"] ?? "/usr/bin:/bin" };
  const child = spawn(options.bin, ["--config", configFile], { cwd: options.dir, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  let exitedFlag = false;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exitedFlag = true;
      resolve();
    });
    // spawn failure (ENOENT, EACCES): nothing to wait for
    child.once("error", () => {
      exitedFlag = true;
      resolve();
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 3_000): Promise<void> => {
    stopping ??= (async () => {
      if (exitedFlag) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  options.cleanup?.add("stop clawbridge-relay", () => stop());
  const listening = new Promise<{ url: string; admin: string }>((resolve, reject) => {
    createInterface({ input: child.stderr }).on("line", (text) => {
      stderr += `${text}\n`;
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        if (line["msg"] === "relay listening") resolve({ url: String(line["url"]), admin: String(line["admin"]) });
      } catch {
        // not a JSON line (e.g. a warning): kept in the log only
      }
    });
    void exited.then(() => reject(new Error("clawbridge-relay exited before listening")));
  });
  try {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
    const timeout = new Promise<never>((_resolve, reject) => {
      setTimeout(() => reject(new Error("clawbridge-relay did not start listening in time")), Math.max(0, deadline - Date.now())).unref();
    });
    const { url, admin } = await Promise.race([listening, timeout]);
    await waitReady(admin, deadline, () => exitedFlag);
    return {
      url: url.replace(/\/$/, ""),
      adminUrl: admin.replace(/\/$/, ""),
      pid: child.pid as number,
      configFile,
      auditFile: join(options.dir, "audit.jsonl"),
      logs: () => stderr,
      stop,
    };
  } catch (error) {
    await stop(500);
    throw new Error(`${(error as Error).message}\n--- relay log ---\n${stderr.trim()}`);
  }
}

import { spawn } from "node:child_process";
import { buildChildEnv } from "./safe-env.js";
import { isAllowlisted, resolveExecutable } from "./exec-allowlist.js";
import type { ExecAllowlistEntry } from "./exec-allowlist.js";

/** `system.run` params as the gateway forwards them (`pickSystemRunParams`). */
export interface SystemRunParams {
  /** argv; argv[0] is the program (no shell). */
  readonly command: readonly string[];
  readonly rawCommand?: string | undefined;
  readonly cwd?: string | undefined;
  readonly env?: Record<string, unknown> | undefined;
  /** ms. */
  readonly timeoutMs?: number | undefined;
  readonly agentId?: string | undefined;
  readonly sessionKey?: string | undefined;
  readonly runId?: string | undefined;
  readonly suppressNotifyOnExit?: boolean | undefined;
}

/** What `system.run` returns in `node.invoke`'s payload. */
export interface SystemRunOutput {
  /** Exit status; null when killed by a signal (timeout). */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** The node's exec policy (`security` of its approvals document). */
export interface SystemRunPolicy {
  /** `allowlist` (default): only matching entries run; `full`: anything; `deny`: nothing. */
  readonly security: "allowlist" | "full" | "deny";
  readonly allowlist: readonly ExecAllowlistEntry[];
  /** The node's own environment (children inherit it). */
  readonly env: NodeJS.ProcessEnv;
  /** Default timeout when the request has none (ms). Default 120 000. */
  readonly defaultTimeoutMs?: number | undefined;
  /** Cap per output stream (bytes); the rest is dropped. Default 1 MiB. */
  readonly maxOutputBytes?: number | undefined;
}

/** Outcome of {@link runSystemRun}: the payload, or the error the node reports. */
export type SystemRunOutcome =
  | { readonly ok: true; readonly payload: SystemRunOutput }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

function collect(stream: NodeJS.ReadableStream | null, cap: number): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  stream?.on("data", (chunk: Buffer) => {
    if (size >= cap) return;
    const slice = chunk.subarray(0, cap - size);
    chunks.push(slice);
    size += slice.length;
  });
  return () => Buffer.concat(chunks).toString("utf8");
}

/**
 * Runs one `system.run` request as a node host does: checks the exec policy (the
 * resolved executable against the allowlist), then spawns argv directly (`shell:
 * false`), capturing stdout/stderr, killing the child on timeout. Denials are reported
 * like OpenClaw's node: `SYSTEM_RUN_DENIED: allowlist miss`.
 */
export async function runSystemRun(params: SystemRunParams, policy: SystemRunPolicy): Promise<SystemRunOutcome> {
  const argv = params.command;
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((arg) => typeof arg !== "string") || argv[0] === "") {
    return { ok: false, error: { code: "INVALID_REQUEST", message: "system.run requires params.command (argv array)" } };
  }
  if (policy.security === "deny") {
    return { ok: false, error: { code: "SYSTEM_RUN_DENIED", message: "SYSTEM_RUN_DISABLED: security=deny" } };
  }
  const cwd = params.cwd ?? process.cwd();
  const [program, ...args] = argv as [string, ...string[]];
  const executable = resolveExecutable(program, cwd, policy.env["PATH"]);
  if (policy.security === "allowlist" && !isAllowlisted(policy.allowlist, executable, args)) {
    return { ok: false, error: { code: "SYSTEM_RUN_DENIED", message: "SYSTEM_RUN_DENIED: allowlist miss" } };
  }
  if (executable.path === undefined) {
    return { ok: false, error: { code: "UNAVAILABLE", message: `SYSTEM_RUN_FAILED: ${program}: command not found` } };
  }
  const timeoutMs = params.timeoutMs ?? policy.defaultTimeoutMs ?? 120_000;
  const cap = policy.maxOutputBytes ?? 1024 * 1024;
  return await new Promise<SystemRunOutcome>((resolvePromise) => {
    const child = spawn(executable.path as string, args, {
      cwd,
      env: buildChildEnv(policy.env, params.env),
      shell: false,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    const stdout = collect(child.stdout, cap);
    const stderr = collect(child.stderr, cap);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolvePromise({
        ok: false,
        error: { code: "UNAVAILABLE", message: `SYSTEM_RUN_FAILED: ${program}: ${error.code ?? error.message}` },
      });
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ ok: true, payload: { exitCode: code, stdout: stdout(), stderr: stderr(), timedOut } });
    });
  });
}

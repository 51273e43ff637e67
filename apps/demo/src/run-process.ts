import { spawn } from "node:child_process";

/** Result of {@link runProcess}. */
export interface ProcessResult {
  /** Exit code; `null` when killed by a signal. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runProcess}. */
export interface RunProcessOptions {
  /** The complete environment of the child (nothing is inherited implicitly). */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string | undefined;
  /** Written to stdin, which is then closed. Default: empty. */
  readonly stdin?: string | undefined;
  /** SIGKILL after this long (ms). Default 30 000. */
  readonly timeoutMs?: number | undefined;
}

/**
 * Runs an executable directly (no shell, so argv reaches it exactly as given) and
 * collects its output. Used for the demo's setup commands (`clawbridge remote add`,
 * `clawbridge skill install`), which run as WN1's operator would run them.
 */
export function runProcess(file: string, args: readonly string[], options: RunProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { env: options.env, cwd: options.cwd, stdio: "pipe", shell: false });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin ?? "");
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

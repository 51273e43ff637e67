import { open } from "node:fs/promises";
import { isAbsolute, resolve as resolvePath } from "node:path";
import { parse } from "shell-quote";
import { SecretSourceError } from "./errors.js";

/**
 * Where a secret (token or password) comes from. A secret is never stored in a
 * profile or passed on argv: it is read at connect time from one of these.
 *
 * * `env`: an environment variable's value.
 * * `file`: a file's content, trailing newline(s) removed. Refused when the file is
 *   group- or world-accessible (mode & 0o077), like ssh does for private keys.
 * * `command`: a secret-manager command (`op read op://vault/item/token`, `pass show
 *   gw2`, `vault kv get -field=token …`) run with `execFile` — **no shell** — whose
 *   trimmed stdout is the secret. A string is split like a POSIX shell would split
 *   words (quotes and escapes honoured via `shell-quote`), but pipes, redirects,
 *   globs, `$VAR` and comments are refused; pass an array to skip parsing.
 */
export type SecretSource =
  | { readonly kind: "env"; readonly name: string }
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "command"; readonly command: string | readonly string[]; readonly timeoutMs?: number | undefined };

/** Options of {@link resolveSecret}. */
export interface ResolveSecretOptions {
  /** Environment for `env` sources and for commands. Default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Base directory for relative file paths and the commands' cwd. Default `process.cwd()`. */
  cwd?: string | undefined;
  /** Command timeout (ms) when the source sets none. Default 10000. */
  commandTimeoutMs?: number | undefined;
  /**
   * Upper bound on a command's timeout (ms), the source's own `timeoutMs` included: what is
   * left of a caller's overall deadline (e.g. a CLI call's `--timeout`).
   */
  maxCommandTimeoutMs?: number | undefined;
}

/** Default secret-command timeout (ms). */
export const DEFAULT_SECRET_COMMAND_TIMEOUT_MS = 10_000;
/** Largest secret accepted from a file or a command's stdout (bytes). */
const MAX_SECRET_BYTES = 64 * 1024;

/** A printable description of a source that never contains a secret: kind and name only. */
export interface SecretSourceSummary {
  readonly kind: SecretSource["kind"];
  /** Env var name, file path, or the command's program (argv[0] only: arguments may hold secrets). */
  readonly name: string;
}

/** Kind and name of a source, safe to print (`show`/`list`, errors). */
export function describeSecretSource(source: SecretSource): SecretSourceSummary {
  switch (source.kind) {
    case "env":
      return { kind: "env", name: source.name };
    case "file":
      return { kind: "file", name: source.path };
    case "command": {
      let program = "?";
      try {
        program = commandArgv(source.command)[0] ?? "?";
      } catch {
        // An unparsable command is reported when resolved; its summary stays generic.
      }
      return { kind: "command", name: program };
    }
  }
}

/**
 * Splits a command string into argv without a shell. Throws {@link SecretSourceError}
 * on shell syntax that would need one (operators, redirects, globs, variables, comments).
 */
export function parseCommandLine(command: string): string[] {
  const refused: string[] = [];
  const entries = parse(command, (name: string) => ({ variable: name }));
  const argv: string[] = [];
  for (const entry of entries) {
    if (typeof entry === "string") argv.push(entry);
    else if ("variable" in entry) refused.push(`$${entry.variable}`);
    else if ("comment" in entry) refused.push("#comment");
    else refused.push(entry.op === "glob" ? entry.pattern : entry.op);
  }
  if (refused.length > 0) {
    throw new SecretSourceError(
      `secret command uses shell syntax that is not supported without a shell (${refused.join(" ")}); ` +
        "write it as a plain command, or as an argv array",
    );
  }
  if (argv.length === 0 || argv[0] === "") throw new SecretSourceError("secret command is empty");
  return argv;
}

function commandArgv(command: string | readonly string[]): string[] {
  if (typeof command === "string") return parseCommandLine(command);
  if (command.length === 0 || command[0] === "") throw new SecretSourceError("secret command is empty");
  return [...command];
}

/** Removes trailing CR/LF only (a secret may legitimately contain other whitespace). */
function trimTrailingNewlines(text: string): string {
  return text.replace(/[\r\n]+$/, "");
}

async function readSecretFile(path: string, cwd: string): Promise<string> {
  const full = isAbsolute(path) ? path : resolvePath(cwd, path);
  let handle;
  try {
    handle = await open(full, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "UNKNOWN";
    throw new SecretSourceError(`cannot open secret file ${full} (${code})`);
  }
  try {
    // fstat on the open handle: the file checked is the file read (no swap in between).
    const info = await handle.stat();
    if (!info.isFile()) throw new SecretSourceError(`secret file ${full} is not a regular file`);
    const mode = info.mode & 0o777;
    if (process.platform !== "win32" && (mode & 0o077) !== 0) {
      throw new SecretSourceError(
        `secret file ${full} is accessible by group or others (mode ${mode.toString(8).padStart(4, "0")}); ` +
          `restrict it with: chmod 600 ${full}`,
      );
    }
    if (info.size > MAX_SECRET_BYTES) throw new SecretSourceError(`secret file ${full} is larger than ${MAX_SECRET_BYTES} bytes`);
    const value = trimTrailingNewlines(await handle.readFile("utf8"));
    if (value.length === 0) throw new SecretSourceError(`secret file ${full} is empty`);
    return value;
  } finally {
    await handle.close();
  }
}

async function runSecretCommand(argv: string[], options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs: number }): Promise<string> {
  const [program, ...args] = argv as [string, ...string[]];
  // Loaded on use: child_process (and the dgram/net it pulls in) costs a process a few ms at
  // start, and most secrets come from a file or the environment. (The bins' bundles defer it
  // for every importer, tools/bundle-bin.mjs; this keeps it lazy for unbundled users too.)
  const { execFile } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    execFile(
      program,
      args,
      {
        shell: false,
        windowsHide: true,
        timeout: options.timeoutMs,
        maxBuffer: MAX_SECRET_BYTES,
        env: options.env,
        cwd: options.cwd,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error !== null) {
          // Built from scratch: execFile's error carries `cmd` (full argv) and the captured output.
          // Neither stream is quoted: a secret manager's stderr can carry the secret too.
          const failure = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: unknown };
          let why: string;
          if (failure.code === "ENOENT") why = "program not found";
          else if (failure.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") why = `output larger than ${MAX_SECRET_BYTES} bytes`;
          else if (failure.killed === true) why = `timed out after ${options.timeoutMs} ms`;
          else if (typeof failure.code === "number") why = `exited with code ${failure.code}`;
          else why = `failed (${failure.signal ?? String(failure.code ?? "unknown")})`;
          const withheld = typeof stderr === "string" && stderr.trim() !== "" ? " (its stderr is not shown, as it may hold the secret; run the command yourself to see why)" : "";
          reject(new SecretSourceError(`secret command ${program} ${why}${withheld}`, { timedOut: failure.killed === true }));
          return;
        }
        const value = stdout.trim();
        if (value.length === 0) {
          reject(new SecretSourceError(`secret command ${program} printed nothing on stdout`));
          return;
        }
        resolve(value);
      },
    );
  });
}

/**
 * Reads a secret from its source. Errors are {@link SecretSourceError}s naming the
 * source (variable, path or program) and never the value or a command's output.
 */
export async function resolveSecret(source: SecretSource, options: ResolveSecretOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  switch (source.kind) {
    case "env": {
      const value = env[source.name];
      if (value === undefined || value.length === 0) {
        throw new SecretSourceError(`environment variable ${source.name} is not set or empty`);
      }
      return value;
    }
    case "file":
      return readSecretFile(source.path, cwd);
    case "command":
      return runSecretCommand(commandArgv(source.command), {
        env,
        cwd,
        timeoutMs: Math.min(
          source.timeoutMs ?? options.commandTimeoutMs ?? DEFAULT_SECRET_COMMAND_TIMEOUT_MS,
          options.maxCommandTimeoutMs ?? Number.POSITIVE_INFINITY,
        ),
      });
  }
}

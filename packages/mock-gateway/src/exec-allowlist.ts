import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import picomatch from "picomatch";

/** One exec allowlist entry (exec-approvals document, `agents.<id>.allowlist[]`). */
export interface ExecAllowlistEntry {
  /**
   * Glob over the resolved absolute executable path (`/usr/bin/*`, `~/.local/bin/tool`),
   * or a bare command-name glob (`rg`, `git*`) that matches only PATH-invoked commands.
   */
  readonly pattern: string;
  /** ECMAScript regex over argv[1..] joined by single spaces (unanchored, as written). */
  readonly argPattern?: string | undefined;
}

/** Where argv[0] resolved to. */
export interface ResolvedExecutable {
  /** Absolute path of the executable, when found. */
  readonly path: string | undefined;
  /** True when argv[0] was a bare name looked up on PATH. */
  readonly viaPath: boolean;
  /** argv[0] as given. */
  readonly name: string;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves argv[0] like `execvp`: a name with a slash is a path (relative to `cwd`);
 * a bare name is looked up on `PATH`.
 *
 * @param argv0 - the program as requested
 * @param cwd - working directory of the run
 * @param pathEnv - the `PATH` to search (the node's own, never the request's)
 */
export function resolveExecutable(argv0: string, cwd: string, pathEnv: string | undefined): ResolvedExecutable {
  if (argv0.includes("/")) {
    return { path: isAbsolute(argv0) ? argv0 : resolve(cwd, argv0), viaPath: false, name: argv0 };
  }
  for (const dir of (pathEnv ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, argv0);
    if (isExecutable(candidate)) return { path: candidate, viaPath: true, name: argv0 };
  }
  return { path: undefined, viaPath: true, name: argv0 };
}

function expandHome(pattern: string): string {
  return pattern === "~" || pattern.startsWith("~/") ? join(homedir(), pattern.slice(1)) : pattern;
}

/** Whether one entry allows this run. An invalid `argPattern` never matches (fail closed). */
export function entryMatches(entry: ExecAllowlistEntry, executable: ResolvedExecutable, args: readonly string[]): boolean {
  const pattern = expandHome(entry.pattern.trim());
  if (pattern === "") return false;
  let pathOk: boolean;
  if (pattern.includes("/")) {
    pathOk = executable.path !== undefined && picomatch(pattern, { dot: true })(executable.path);
  } else {
    pathOk = executable.viaPath && picomatch(pattern, { dot: true })(executable.name);
  }
  if (!pathOk) return false;
  if (entry.argPattern === undefined) return true;
  try {
    return new RegExp(entry.argPattern).test(args.join(" "));
  } catch {
    return false;
  }
}

/** Whether any entry allows running `argv` (argv[0] resolved, argv[1..] matched). */
export function isAllowlisted(
  entries: readonly ExecAllowlistEntry[],
  executable: ResolvedExecutable,
  args: readonly string[],
): boolean {
  return entries.some((entry) => entryMatches(entry, executable, args));
}

import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { RelayConfig } from "./relay-config.js";
import { formatPath, locatePath } from "./yaml-positions.js";
import type { SourcePosition } from "./yaml-positions.js";

/** One problem in a config file, with where it is. */
export interface ConfigIssue {
  /** The file (as given). */
  readonly file: string;
  /** 1-based line and column, when known. */
  readonly position: SourcePosition | undefined;
  /** Dotted path of the offending setting (`clients.wn1.allow[2]`), `(root)` or `(yaml)`. */
  readonly path: string;
  readonly message: string;
}

/** A loaded config: the validated settings plus where they came from. */
export interface LoadedConfig {
  readonly config: RelayConfig;
  /** Absolute path of the file. */
  readonly file: string;
  /** Its directory: relative paths in the file are resolved against it. */
  readonly baseDir: string;
  /** Where a setting is in the file (`["upstreams", "gw2", "token"]` → line:col), when known. */
  readonly locate?: ((path: readonly PropertyKey[]) => SourcePosition | undefined) | undefined;
}

/** Outcome of {@link loadConfig} / {@link parseConfigText}: never a throw for a bad file. */
export type ConfigResult = { readonly ok: true; readonly loaded: LoadedConfig } | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** `relay.yaml:12:7: clients.wn1.allow[2]: expected string`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.position === undefined ? issue.file : `${issue.file}:${issue.position.line}:${issue.position.col}`;
  return `${where}: ${issue.path}: ${issue.message}`;
}

function zodIssuePath(issue: z.core.$ZodIssue): PropertyKey[] {
  // An unknown key is reported on its parent; point at the key itself.
  if (issue.code === "unrecognized_keys" && issue.keys.length > 0) return [...issue.path, issue.keys[0] as string];
  return [...issue.path];
}

/** A missing required setting reads `expected record, received undefined` in zod's words: say it plainly. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && /received undefined$/.test(issue.message)) return `missing: this setting is required (${issue.expected})`;
  return issue.message;
}

/** Issues in file order (line, then column); issues without a position first, in their original order. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const key = (issue: ConfigIssue): [number, number] => [issue.position?.line ?? 0, issue.position?.col ?? 0];
  return [...issues].sort((a, b) => {
    const [la, ca] = key(a);
    const [lb, cb] = key(b);
    return la - lb || ca - cb;
  });
}

/**
 * Parses and validates config text. YAML syntax errors and schema violations both come
 * back as {@link ConfigIssue}s with line:col (via `yaml`'s `LineCounter` and node ranges).
 *
 * @param text - the YAML text
 * @param file - the file name used in messages and to resolve relative paths
 */
export function parseConfigText(text: string, file: string): ConfigResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((error) => {
        const pos = error.linePos?.[0];
        return {
          file,
          position: pos === undefined ? undefined : { line: pos.line, col: pos.col },
          path: "(yaml)",
          // Pretty errors append " at line L, column C:" and a code excerpt; the position is reported separately.
          message: (error.message.split("\n")[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, ""),
        };
      }),
    };
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined || typeof value !== "object" || Array.isArray(value)) {
    const found = value === null || value === undefined ? undefined : Array.isArray(value) ? "a list" : `a ${typeof value}`;
    return {
      ok: false,
      issues: [
        {
          file,
          position: found === undefined ? undefined : locatePath(doc, lines, []),
          path: "(root)",
          message:
            found === undefined
              ? "the file is empty: expected the relay settings (at least upstreams: and clients:; see relay.example.yaml)"
              : `expected a mapping of settings (upstreams:, clients:, …), found ${found}`,
        },
      ],
    };
  }
  const parsed = RelayConfig.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue): ConfigIssue => {
      const path = zodIssuePath(issue);
      return { file, position: locatePath(doc, lines, path), path: formatPath(path), message: issueMessage(issue) };
    });
    return { ok: false, issues: sortIssues(issues) };
  }
  const absolute = isAbsolute(file) ? file : resolve(file);
  return {
    ok: true,
    loaded: { config: parsed.data, file: absolute, baseDir: dirname(absolute), locate: (path) => locatePath(doc, lines, path) },
  };
}

/** Reads and validates a config file (see {@link parseConfigText}); an unreadable file is one issue. */
export async function loadConfig(file: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "UNKNOWN";
    return { ok: false, issues: [{ file, position: undefined, path: "(file)", message: `cannot read config file (${code})` }] };
  }
  return parseConfigText(text, file);
}

/** Resolves a path from the config file relative to its directory. */
export function resolveConfigPath(loaded: LoadedConfig, path: string): string {
  return isAbsolute(path) ? path : resolve(loaded.baseDir, path);
}

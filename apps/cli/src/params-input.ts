import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { TYPED_METHODS } from "@clawbridge/protocol";
import { formatValidationIssues } from "@clawbridge/rpc-core";
import { usageError } from "@clawbridge/cli-contract";

/** Where `--params` comes from: inline JSON (default `{}`), `@file`, or `-` (stdin). */
export type ParamsSpec =
  | { readonly kind: "inline"; readonly text: string }
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "stdin" };

/** Reads the `--params` flag (absent means OpenClaw's default `{}`). */
export function paramsSpecOf(raw: string | undefined): ParamsSpec {
  if (raw === undefined) return { kind: "inline", text: "{}" };
  if (raw === "-") return { kind: "stdin" };
  if (raw.startsWith("@")) {
    const path = raw.slice(1);
    if (path === "") throw usageError("INVALID_PARAMS", "--params @file needs a path after @");
    return { kind: "file", path };
  }
  return { kind: "inline", text: raw };
}

/**
 * The params value: any JSON value is passed through as-is, like `openclaw gateway
 * call` (`--params must be valid JSON.` otherwise). `stdinText` must be given for `-`.
 */
export async function readParams(spec: ParamsSpec, stdinText: string | undefined): Promise<unknown> {
  let text: string;
  let where = "";
  switch (spec.kind) {
    case "inline":
      text = spec.text;
      break;
    case "stdin":
      text = stdinText ?? "";
      where = " (read from standard input)";
      break;
    case "file": {
      const path = resolve(spec.path);
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        throw usageError("INVALID_PARAMS", `--params @${spec.path}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
      }
      where = ` (in ${path})`;
      break;
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw usageError("INVALID_PARAMS", `--params must be valid JSON.${where}`);
  }
}

/** One validation problem, for the envelope's `details.issues`. */
export interface ParamsIssue {
  /** JSON pointer of the offending field (`""` for the root). */
  readonly path: string;
  readonly message: string;
}

/**
 * Validates params of methods with a known schema (`TYPED_METHODS`) before any
 * connection is opened; the message names the field, in the gateway's own wording
 * (`invalid node.describe params: must have required property 'nodeId'`). Methods
 * without a schema pass unchanged: the gateway is the judge.
 */
export function validateParams(method: string, params: unknown): void {
  const definition = TYPED_METHODS.get(method);
  if (definition === undefined) return;
  const result = definition.params.safeParse(params);
  if (result.success) return;
  const issues: ParamsIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.map((key) => `/${String(key)}`).join(""),
    message: issue.message,
  }));
  throw usageError("INVALID_PARAMS", `invalid ${method} params: ${formatValidationIssues(result.error.issues, params)}`, {
    details: { method, issues },
    hint: `see the schema with: clawbridge gateway describe ${method}`,
  });
}

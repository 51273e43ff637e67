import type { z } from "zod";

type Issue = z.core.$ZodIssue;

/** Longest key or value quoted from the input (characters); keeps messages short and body-free. */
const MAX_QUOTED = 64;
/** Longest whole message (characters). */
const MAX_MESSAGE = 400;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** JSON pointer of a path, as ajv's `instancePath` (RFC 6901 escaping). */
function pointer(path: readonly PropertyKey[]): string {
  return path.map((key) => `/${clip(String(key), MAX_QUOTED).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

function prefix(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "" : `at ${pointer(path)}: `;
}

/** Whether `path` names a key absent from its parent object in `input`. */
function isMissingKey(input: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return false;
  let node: unknown = input;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== "object" || node === null) return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  const last = path[path.length - 1] as PropertyKey;
  return typeof node === "object" && node !== null && !Array.isArray(node) && !Object.hasOwn(node, last);
}

function sizeWord(origin: string): string | undefined {
  if (origin === "string") return "characters";
  if (origin === "array" || origin === "set") return "items";
  return undefined;
}

function describeIssue(issue: Issue, input: unknown): string[] {
  const path = issue.path;
  // Whatever zod calls it (invalid_type, or invalid_value for enums/literals), an issue
  // about an absent key means the key is required.
  if (issue.code !== "unrecognized_keys" && isMissingKey(input, path)) {
    return [`${prefix(path.slice(0, -1))}must have required property '${clip(String(path[path.length - 1]), MAX_QUOTED)}'`];
  }
  switch (issue.code) {
    case "unrecognized_keys": {
      const where = path.length === 0 ? "at root" : `at ${pointer(path)}`;
      return issue.keys.map((key) => `${where}: unexpected property '${clip(key, MAX_QUOTED)}'`);
    }
    case "invalid_type": {
      const expected = issue.expected === "int" ? "integer" : issue.expected;
      return [`${prefix(path)}must be ${expected}`];
    }
    case "too_small": {
      // OpenClaw 2026.9.6 validates with TypeBox, whose en_US text says "must not" (ajv said "must NOT").
      const word = sizeWord(issue.origin);
      const bound = String(issue.minimum);
      if (word !== undefined) return [`${prefix(path)}must not have fewer than ${bound} ${word}`];
      return [`${prefix(path)}must be ${issue.inclusive === false ? ">" : ">="} ${bound}`];
    }
    case "too_big": {
      const word = sizeWord(issue.origin);
      const bound = String(issue.maximum);
      if (word !== undefined) return [`${prefix(path)}must not have more than ${bound} ${word}`];
      return [`${prefix(path)}must be ${issue.inclusive === false ? "<" : "<="} ${bound}`];
    }
    case "invalid_value": {
      const values = issue.values.map((value) => clip(JSON.stringify(value) ?? String(value), MAX_QUOTED));
      return [`${prefix(path)}must be equal to ${values.length === 1 ? values[0] : `one of ${values.join(", ")}`}`];
    }
    default:
      return [`${prefix(path)}${issue.message}`];
  }
}

/**
 * Turns zod issues into compact, operator-facing text in the style of OpenClaw's ajv
 * messages (`formatValidationErrors`): `at root: unexpected property 'bogus'`,
 * `must have required property 'idempotencyKey'`, `at /nodeId: must not have fewer than
 * 1 characters`; distinct parts joined with `; `. Quotes only key names and schema
 * constants from the input — never values — and is capped at 400 characters.
 *
 * @param issues - `ZodError.issues`
 * @param input - the value that was validated (used to tell a missing key from a wrong type)
 */
export function formatValidationIssues(issues: readonly Issue[], input: unknown): string {
  const parts = [...new Set(issues.flatMap((issue) => describeIssue(issue, input)))];
  return parts.length === 0 ? "unknown validation error" : clip(parts.join("; "), MAX_MESSAGE);
}

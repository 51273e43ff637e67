import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/** Folder of the pinned official contract package (its exports map hides protocol.schema.json). */
export const CONTRACT_DIR = join(import.meta.dirname, "..", "..", "node_modules", "@openclaw", "gateway-protocol");

/** Shape of `protocol.schema.json` as far as the tests read it. */
export interface ContractSchema {
  $id: string;
  definitions: Record<string, unknown>;
  methods: Record<string, { scope: string; since: string }>;
}

/** The official contract, parsed. */
export const contract = JSON.parse(readFileSync(join(CONTRACT_DIR, "protocol.schema.json"), "utf8")) as ContractSchema;

/** Version of the pinned contract package. */
export const contractVersion = (JSON.parse(readFileSync(join(CONTRACT_DIR, "package.json"), "utf8")) as { version: string })
  .version;

// ajv-formats is CommonJS: under NodeNext typing its default import is the module
// object, while a bundler may hand over the function itself.
type FormatsPlugin = typeof addFormatsModule.default;
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

function makeAjv(schema: object): Ajv {
  // Strict mode stays on so a schema construct ajv would silently ignore fails loudly.
  // Declared as annotations: OpenClaw's `x-openclaw-since`, the root `methods` table
  // (data, not a keyword) and the OpenAPI-style root `discriminator`, whose `mapping`
  // ajv's discriminator support rejects; the `oneOf` it annotates is disjoint on the
  // `type` const, so validating the plain `oneOf` is the same rule.
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false });
  addFormats(ajv);
  for (const keyword of ["x-openclaw-since", "methods", "discriminator"]) ajv.addKeyword(keyword);
  ajv.addSchema(schema);
  return ajv;
}

const ajv = makeAjv(contract);

/** Compiled official validator for one definition (JSON pointer below `#/definitions/`). */
export function officialValidator(pointer: string): ValidateFunction {
  const validate = ajv.getSchema(`${contract.$id}#/definitions/${pointer}`);
  if (validate === undefined) throw new Error(`no definition ${pointer} in the official contract`);
  return validate;
}

/** The root schema of the official contract: the frame union. */
export const officialFrame: ValidateFunction = (() => {
  const validate = ajv.getSchema(contract.$id);
  if (validate === undefined) throw new Error("official root schema did not compile");
  return validate;
})();

/** Result of one official validation, errors kept for messages. */
export interface OfficialResult {
  valid: boolean;
  errors: ErrorObject[];
}

/** Runs an official validator without leaking ajv's shared `errors` state. */
export function runOfficial(validate: ValidateFunction, value: unknown): OfficialResult {
  const valid = validate(value);
  return { valid, errors: valid ? [] : [...(validate.errors ?? [])] };
}

/** Human-readable ajv errors for assertion messages. */
export function describeErrors(errors: readonly ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`).join("; ");
}

function withoutAdditionalPropertiesFalse(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutAdditionalPropertiesFalse);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "additionalProperties" && value === false) continue;
    out[key] = withoutAdditionalPropertiesFalse(value);
  }
  return out;
}

const additiveAjv = makeAjv({
  ...(withoutAdditionalPropertiesFalse(contract) as object),
  $id: "https://openclaw.ai/protocol.additive.schema.json",
});

/**
 * The official definition with every `additionalProperties:false` removed: "the
 * 2026.9.1 contract, allowing keys a newer server adds". Types, enums, bounds and
 * required keys still apply. Used for frames captured from 2026.9.6.
 */
export function additiveValidator(pointer: string): ValidateFunction {
  const validate = additiveAjv.getSchema(`https://openclaw.ai/protocol.additive.schema.json#/definitions/${pointer}`);
  if (validate === undefined) throw new Error(`no definition ${pointer} in the official contract`);
  return validate;
}

/** One JSON fixture. */
export interface Fixture {
  name: string;
  value: unknown;
}

/** Every `*.json` file of `dir`, parsed, sorted by name; `[]` if the folder does not exist. */
export function loadJsonDir(dir: string): Fixture[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return names.sort().map((name) => ({ name, value: JSON.parse(readFileSync(join(dir, name), "utf8")) as unknown }));
}

/** Folder of the committed frame corpus. */
export const FRAMES_DIR = join(import.meta.dirname, "..", "fixtures", "frames");
/** Valid frames (accepted by zod and the official schema). */
export const validFrames = loadJsonDir(join(FRAMES_DIR, "valid"));
/** Frames breaking the official schema (rejected by both). */
export const invalidFrames = loadJsonDir(join(FRAMES_DIR, "invalid"));

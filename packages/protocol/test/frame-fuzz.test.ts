import fc from "fast-check";
import * as z from "zod";
import { describe, expect, it } from "vitest";
import { ConnectParams, GatewayFrame } from "../src/index.js";
import {
  describeErrors,
  officialFrame,
  officialValidator,
  runOfficial,
  validFrames,
} from "./helpers/contract.js";
import type { OfficialResult } from "./helpers/contract.js";
import { payloadChecksFor, requestMethods } from "./helpers/payload-checks.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/** Base number of fast-check runs; raise with FUZZ_RUNS=20000 for a deeper search. */
const RUNS = Number(process.env["FUZZ_RUNS"] ?? 400);

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function at(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  return node;
}

/** Every path below `root` (objects and arrays), root first, optionally not descending into some keys. */
function paths(root: unknown, stopBelow: (path: Path) => boolean = () => false): Path[] {
  const out: Path[] = [];
  const walk = (node: unknown, path: Path): void => {
    out.push(path);
    if (path.length > 0 && stopBelow(path)) return;
    if (Array.isArray(node)) node.forEach((child, i) => walk(child, [...path, i]));
    else if (isRecord(node)) for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
  };
  walk(root, []);
  return out;
}

/** One near-valid mutation: drop a key, add a key, or replace a value with one of another type. */
interface Mutation {
  kind: "drop" | "add" | "retype";
  pick: number;
  key: string;
  value: Json;
}

function valueType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/**
 * Applies `m` to a deep copy of `base`. Returns `undefined` when the mutation does not
 * apply (e.g. nothing to drop), so the property skips it instead of testing `base`.
 */
function mutate(base: unknown, m: Mutation, stopBelow?: (path: Path) => boolean): unknown {
  const copy = structuredClone(base) as unknown;
  const all = paths(copy, stopBelow);
  if (m.kind === "add") {
    const objects = all.filter((p) => isRecord(at(copy, p)));
    const target = objects[m.pick % Math.max(objects.length, 1)];
    if (target === undefined) return undefined;
    const object = at(copy, target) as Record<string, unknown>;
    if (Object.hasOwn(object, m.key)) return undefined;
    // defineProperty: a `__proto__` key must become an own property, as JSON.parse makes it.
    Object.defineProperty(object, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    return copy;
  }
  const members = all.filter((p) => p.length > 0);
  if (m.kind === "drop") {
    const keys = members.filter((p) => typeof p[p.length - 1] === "string");
    const target = keys[m.pick % Math.max(keys.length, 1)];
    if (target === undefined) return undefined;
    delete (at(copy, target.slice(0, -1)) as Record<string, unknown>)[target[target.length - 1] as string];
    return copy;
  }
  if (members.length === 0) return m.value; // retype the whole value
  const target = members[m.pick % members.length];
  if (target === undefined || valueType(at(copy, target)) === valueType(m.value)) return undefined;
  (at(copy, target.slice(0, -1)) as Record<string | number, unknown>)[target[target.length - 1] as string | number] = m.value;
  return copy;
}

const interestingKeys = [
  "expectedProfileId",
  "recipientProfileId",
  "type",
  "id",
  "method",
  "event",
  "ok",
  "seq",
  "payload",
  "params",
  "error",
  "details",
  "stateVersion",
  "traceparent",
  "retryable",
  "retryAfterMs",
  "code",
  "message",
  "method",
  "modelCatalog",
  "clientId",
  "__proto__",
];

const otherTypedValue: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constant(""),
  fc.integer(),
  fc.integer({ min: -3, max: -1 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(2 ** 53, -(2 ** 53), 1e300, 0.5),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>, { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>, { maxKeys: 2 }),
);

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("drop", "add", "retype"),
  pick: fc.nat(),
  key: fc.oneof(fc.constantFrom(...interestingKeys), fc.string({ maxLength: 10 })),
  value: otherTypedValue,
});

/** Paths of values that are integers beyond ±(2^53 − 1). */
function unsafeIntegerPaths(value: unknown): string[] {
  return paths(value)
    .filter((p) => {
      const v = at(value, p);
      return typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v);
    })
    .map((p) => p.join("/"));
}

/**
 * The deliberate zod-vs-official differences. Each returns a class name when it
 * explains a disagreement, so an unexplained one fails the property with its input.
 */
const ENVELOPE_ADDITIONS: Readonly<Record<string, string>> = { req: "expectedProfileId", event: "recipientProfileId" };

function explainFrameDisagreement(frame: unknown, zodOk: boolean, official: OfficialResult): string | undefined {
  if (zodOk && !official.valid && isRecord(frame) && typeof frame["type"] === "string") {
    // 1. 2026.9.6 envelope additions: zod accepts them, the 2026.9.1 contract does not.
    const key = ENVELOPE_ADDITIONS[frame["type"]];
    if (key !== undefined && Object.hasOwn(frame, key)) {
      const without = Object.fromEntries(Object.entries(frame).filter(([k]) => k !== key));
      if (runOfficial(officialFrame, without).valid) return `2026.9.6 envelope addition (${key})`;
    }
  }
  if (!zodOk && official.valid) {
    // 2. Unsafe integers: z.int() only accepts safe integers; JSON Schema "integer" any.
    const issues = GatewayFrame.safeParse(frame).error?.issues ?? [];
    const unsafe = unsafeIntegerPaths(frame);
    if (issues.length > 0 && issues.every((i) => unsafe.includes(i.path.join("/")))) return "unsafe integer";
  }
  return undefined;
}

describe("fuzz: GatewayFrame never throws", () => {
  it("on any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = GatewayFrame.safeParse(value);
        expect(typeof result.success).toBe("boolean");
      }),
      { numRuns: 2_000 },
    );
  });

  it("on any JSON text a peer could send (incl. __proto__ keys, deep nesting)", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const value = JSON.parse(text) as unknown;
        const result = GatewayFrame.safeParse(value);
        if (result.success) expect(result.data).toEqual(value);
      }),
      { numRuns: 2_000 },
    );
    const deep = JSON.parse(`${"[".repeat(5_000)}${"]".repeat(5_000)}`) as unknown;
    expect(GatewayFrame.safeParse(deep).success).toBe(false);
    // Payloads are opaque to the envelope: deep nesting is neither walked nor a crash.
    const deepPayload = { type: "event", event: "x", payload: deep };
    expect(GatewayFrame.safeParse(deepPayload).success).toBe(true);
    const proto = JSON.parse('{"type":"req","id":"1","method":"m","__proto__":{"x":1}}') as unknown;
    expect(GatewayFrame.safeParse(proto).success).toBe(false);
    expect(runOfficial(officialFrame, proto).valid).toBe(false);
  });

  it("on values that are frame-shaped but arbitrary", () => {
    const field = fc.jsonValue({ maxDepth: 2 });
    fc.assert(
      fc.property(
        fc.record(
          {
            type: fc.oneof(fc.constantFrom("req", "res", "event"), field),
            id: field,
            method: field,
            event: field,
            ok: field,
            seq: field,
            payload: field,
            error: field,
            stateVersion: field,
          },
          { requiredKeys: ["type"] },
        ),
        (value) => {
          const zodOk = GatewayFrame.safeParse(value).success;
          const official = runOfficial(officialFrame, value);
          if (zodOk !== official.valid) {
            expect(explainFrameDisagreement(value, zodOk, official), JSON.stringify(value)).toBeDefined();
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("fuzz: zod and the official schema agree on near-valid frames", () => {
  it("for mutations of every corpus frame (envelope level)", () => {
    const classes = new Map<string, number>();
    let agreed = 0;
    // Payload, params and error details are `{}`/unknown in both schemas; mutate the
    // envelope and those keys themselves, not what is inside them.
    const opaque = (path: Path) =>
      (path.length === 1 && (path[0] === "payload" || path[0] === "params")) ||
      (path.length === 2 && path[0] === "error" && path[1] === "details");
    fc.assert(
      fc.property(fc.nat(validFrames.length - 1), mutationArb, (index, m) => {
        const base = validFrames[index]?.value;
        const frame = mutate(base, m, opaque);
        fc.pre(frame !== undefined);
        const zodOk = GatewayFrame.safeParse(frame).success;
        const official = runOfficial(officialFrame, frame);
        if (zodOk === official.valid) {
          agreed += 1;
          return;
        }
        const why = explainFrameDisagreement(frame, zodOk, official);
        expect(
          why,
          `zod ${zodOk ? "accepts" : "rejects"}, official ${official.valid ? "accepts" : `rejects (${describeErrors(official.errors)})`}: ${JSON.stringify(frame)}`,
        ).toBeDefined();
        if (why !== undefined) classes.set(why, (classes.get(why) ?? 0) + 1);
      }),
      { numRuns: RUNS * 5 },
    );
    expect(agreed).toBeGreaterThan(RUNS);
    // Only documented classes may appear (the property above fails on anything else).
    for (const name of classes.keys()) expect(name).toMatch(/^(2026\.9\.6 envelope addition|unsafe integer)/);
  });

  it("documented difference: unsafe integers (zod rejects, JSON Schema accepts)", () => {
    const frame = { type: "event", event: "tick", payload: { ts: 1 }, seq: 2 ** 53 };
    expect(GatewayFrame.safeParse(frame).success).toBe(false);
    expect(runOfficial(officialFrame, frame).valid).toBe(true);
    expect(explainFrameDisagreement(frame, false, runOfficial(officialFrame, frame))).toBe("unsafe integer");
    // Up to 2^53 − 1 both agree.
    expect(GatewayFrame.safeParse({ ...frame, seq: Number.MAX_SAFE_INTEGER }).success).toBe(true);
  });

  it("documented difference: zod drops an own __proto__ key of a record without validating it", () => {
    const params = JSON.parse(
      '{"minProtocol":4,"maxProtocol":4,"client":{"id":"node-host","version":"1","platform":"linux","mode":"node"},"permissions":{"__proto__":"yes","camera":true}}',
    ) as Record<string, unknown>;
    const parsed = ConnectParams.safeParse(params);
    expect(parsed.success).toBe(true);
    // Dropped, not copied: neither an own key nor a replaced prototype in the output.
    const permissions = parsed.data?.permissions ?? {};
    expect(permissions).toEqual({ camera: true });
    expect(Object.hasOwn(permissions, "__proto__")).toBe(false);
    expect([null, Object.prototype]).toContain(Object.getPrototypeOf(permissions));
    expect(runOfficial(officialValidator("ConnectParams"), params).valid).toBe(false);
  });

  it("string lengths agree: zod and ajv both count code points, not UTF-16 units", () => {
    // 128 astral characters = 256 UTF-16 units but 128 code points: within traceparent's 128.
    const frame = { type: "req", id: "1", method: "health", traceparent: "😀".repeat(128) };
    expect(GatewayFrame.safeParse(frame).success).toBe(true);
    expect(runOfficial(officialFrame, frame).valid).toBe(true);
    const tooLong = { ...frame, traceparent: `${"😀".repeat(128)}x` };
    expect(GatewayFrame.safeParse(tooLong).success).toBe(false);
    expect(runOfficial(officialFrame, tooLong).valid).toBe(false);
  });
});

/** Payload-level agreement: our payload schemas vs the official definitions. */
interface PayloadCase {
  label: string;
  base: unknown;
  zod: z.ZodType;
  official: string;
}

const requests = requestMethods(validFrames.map((f) => f.value));
const payloadCases: PayloadCase[] = validFrames
  .flatMap((f) => payloadChecksFor(f.value, requests))
  .filter((c): c is typeof c & { official: string } => c.official !== null)
  .map((c) => ({ label: c.label, base: c.value, zod: c.zod, official: c.official }));

type JsonSchemaNode = Record<string, unknown>;

/** The JSON Schema nodes `z.toJSONSchema` gives for the value at `segments` (several under anyOf). */
function zodNodesAt(node: JsonSchemaNode, segments: readonly string[]): JsonSchemaNode[] {
  const branches = [node, ...((node["anyOf"] as JsonSchemaNode[] | undefined) ?? [])];
  const [head, ...rest] = segments;
  if (head === undefined) return branches;
  return branches.flatMap((branch) => {
    const props = branch["properties"] as Record<string, JsonSchemaNode> | undefined;
    const additional = branch["additionalProperties"];
    const child =
      branch["type"] === "array"
        ? (branch["items"] as JsonSchemaNode | undefined)
        : (props?.[head] ?? (typeof additional === "object" && additional !== null ? (additional as JsonSchemaNode) : undefined));
    return child === undefined ? [] : zodNodesAt(child, rest);
  });
}

/** Keys 2026.9.6 sends that the 2026.9.1 definitions lack; our schemas know them. */
const PAYLOAD_ADDITIONS_2026_9_6: Readonly<Record<string, readonly string[]>> = {
  ConnectParams: ["modelCatalog"],
  NodeInvokeRequestEvent: ["sessionKey"],
  PresenceEntry: ["clientId"],
  HelloOk: ["clientId"], // snapshot.presence[].clientId
};

/**
 * Deliberate payload differences, each named. Returns the class when every official
 * error is explained by one, so anything else fails the property with its input.
 */
function explainPayloadDisagreement(c: PayloadCase, value: unknown, zodOk: boolean, official: OfficialResult): string | undefined {
  if (!zodOk && official.valid) {
    const issues = c.zod.safeParse(value).error?.issues ?? [];
    const unsafe = unsafeIntegerPaths(value);
    return issues.length > 0 && issues.every((i) => unsafe.includes(i.path.join("/"))) ? "unsafe integer" : undefined;
  }
  if (!zodOk || official.valid) return undefined;
  const zodSchema = z.toJSONSchema(c.zod, { io: "input", unrepresentable: "any" }) as JsonSchemaNode;
  const reasons = official.errors.map((e) => {
    const segments = e.instancePath.split("/").slice(1);
    // zod never copies an own `__proto__` key into its output; inside records and open
    // objects it drops it without validating its value. The key never reaches our code.
    if (segments.includes("__proto__")) return "__proto__ key dropped";
    if (e.keyword === "additionalProperties") {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      if (PAYLOAD_ADDITIONS_2026_9_6[c.official]?.includes(key)) return "2026.9.6 addition";
      // Payloads stay open unless the contract closes them AND we decided to follow
      // (envelopes, tick, shutdown, connect params, presence entries are closed).
      const nodes = zodNodesAt(zodSchema, segments);
      if (nodes.length > 0 && nodes.every((n) => n["additionalProperties"] !== false)) return "open payload object";
    }
    // The health snapshot changes every release: typed loosely on purpose.
    if (c.official === "Snapshot/properties/health" || e.instancePath.startsWith("/snapshot/health")) return "lenient health";
    // paramsJSON / payloadJSON are `string | null` on the 2026.9.6 wire, `string` in 2026.9.1.
    if (e.keyword === "type" && /\/(paramsJSON|payloadJSON)$/.test(e.instancePath) && at(value, segments) === null) {
      return "2026.9.6 addition";
    }
    return undefined;
  });
  if (reasons.some((r) => r === undefined)) return undefined;
  return [...new Set(reasons)].sort().join(" + ");
}

describe("fuzz: payload schemas agree with the official definitions", () => {
  it("has payload cases for the core payloads", () => {
    const labels = payloadCases.map((c) => c.label);
    for (const label of ["res hello-ok", "req connect params", "event tick", "event shutdown", "req node.invoke params"]) {
      expect(labels).toContain(label);
    }
  });

  it("for mutations anywhere inside the payloads", () => {
    const classes = new Map<string, number>();
    fc.assert(
      fc.property(fc.nat(payloadCases.length - 1), mutationArb, (index, m) => {
        const c = payloadCases[index];
        if (c === undefined) return;
        const value = mutate(c.base, m);
        fc.pre(value !== undefined);
        const zodOk = c.zod.safeParse(value).success;
        const official = runOfficial(officialValidator(c.official), value);
        if (zodOk === official.valid) return;
        const why = explainPayloadDisagreement(c, value, zodOk, official);
        expect(
          why,
          `${c.label}: zod ${zodOk ? "accepts" : "rejects"}, official ${official.valid ? "accepts" : `rejects (${describeErrors(official.errors)})`}: ${JSON.stringify(value)}`,
        ).toBeDefined();
        if (why !== undefined) classes.set(why, (classes.get(why) ?? 0) + 1);
      }),
      { numRuns: RUNS * 10 },
    );
  });
});

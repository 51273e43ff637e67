/**
 * The README's "Adding a method or an event" guide, executed. Each step below is what
 * a contributor writes in `src/` (here inline, so the guide cannot rot).
 */
import { Ajv } from "ajv";
import { describe, expect, expectTypeOf, it } from "vitest";
import * as z from "zod";
import {
  GatewayEvents,
  GatewayFrame,
  METHOD_CATALOGUE,
  Methods,
  OperatorScopes,
  TickPayload,
  TYPED_METHODS,
  authorizeMethod,
  catalogueScopeOf,
  defineMethod,
  leastPrivilegeScopes,
  requiredScopesFor,
} from "../src/index.js";
import type { MethodParams, MethodResult } from "../src/index.js";
import { officialValidator, runOfficial, validFrames } from "./helpers/contract.js";
import { OFFICIAL_PARAMS, payloadChecksFor } from "./helpers/payload-checks.js";

// Step 1 (src/methods.ts): a `defineMethod` constant with params and result schemas.
// Params are closed when the contract closes them (it does for AgentIdentityParams);
// results stay open so a newer gateway's extra fields never break a client.
// Schemas as factories: built when `.params`/`.result` is first read.
let built = 0;
const AgentIdentityGet = defineMethod(
  "agent.identity.get",
  () => {
    built += 1;
    return z.strictObject({
      agentId: z.string().min(1).optional(),
      sessionKey: z.string().optional(),
    });
  },
  () =>
    z.looseObject({
      agentId: z.string().min(1),
      name: z.string().min(1).optional(),
      avatar: z.string().min(1).optional(),
      emoji: z.string().min(1).optional(),
    }),
);

// Step 4 (src/events.ts): an event name in `GatewayEvents` and a payload schema.
const NODE_INVOKE_INPUT = "node.invoke.input";
const NodeInvokeInputPayload = z.strictObject({
  id: z.string().min(1),
  nodeId: z.string().min(1),
  seq: z.int().min(0),
  /** At most 16 384 characters. */
  payloadJSON: z.string().max(16_384),
});

describe("contributor guide: adding a method", () => {
  it("step 1: defineMethod gives a typed constant that validates params and results", () => {
    expect(built).toBe(0); // nothing read yet: the params factory has not run
    expect(AgentIdentityGet.method).toBe("agent.identity.get");
    expect(AgentIdentityGet.params).toBe(AgentIdentityGet.params); // built once, then the same schema
    expect(built).toBe(1);
    expect(AgentIdentityGet.params.safeParse({ agentId: "main" }).success).toBe(true);
    expect(AgentIdentityGet.params.safeParse({}).success).toBe(true);
    expect(AgentIdentityGet.params.safeParse({ agentId: "" }).success).toBe(false);
    expect(AgentIdentityGet.params.safeParse({ agentId: "main", bogus: 1 }).success).toBe(false);
    expect(AgentIdentityGet.result.parse({ agentId: "main", name: "Main", newField: true })).toEqual({
      agentId: "main",
      name: "Main",
      newField: true,
    });
    expectTypeOf<MethodParams<typeof AgentIdentityGet>>().toEqualTypeOf<{
      agentId?: string | undefined;
      sessionKey?: string | undefined;
    }>();
    expectTypeOf<MethodResult<typeof AgentIdentityGet>["agentId"]>().toEqualTypeOf<string>();
  });

  it("step 1: methods added to `Methods` are found by wire name in TYPED_METHODS", () => {
    for (const definition of Object.values(Methods)) {
      expect(TYPED_METHODS.get(definition.method)).toBe(definition);
    }
    expect(TYPED_METHODS.size).toBe(Object.keys(Methods).length);
  });

  it("step 2: the scope comes from the generated catalogue, not from hand-written code", () => {
    expect(METHOD_CATALOGUE["agent.identity.get"]).toEqual({ scope: "operator.read", since: "<=2026.7" });
    expect(catalogueScopeOf(AgentIdentityGet.method)).toBe(OperatorScopes.READ);
    expect(requiredScopesFor(AgentIdentityGet.method, { agentId: "main" })).toEqual({
      role: "operator",
      scopes: [OperatorScopes.READ],
      known: true,
    });
    expect(leastPrivilegeScopes(AgentIdentityGet.method)).toEqual([OperatorScopes.READ]);
    expect(authorizeMethod({ role: "operator", scopes: [OperatorScopes.READ] }, AgentIdentityGet.method, {})).toBeUndefined();
    expect(authorizeMethod({ role: "operator", scopes: [] }, AgentIdentityGet.method, {})?.code).toBe("FORBIDDEN");
  });

  it("step 2: every typed method in `Methods` is in the catalogue", () => {
    for (const definition of Object.values(Methods)) expect(catalogueScopeOf(definition.method), definition.method).toBeDefined();
  });

  it("step 3: z.toJSONSchema() turns the params into JSON Schema that matches the official definition", () => {
    const schema = z.toJSONSchema(AgentIdentityGet.params, { target: "draft-7" }) as {
      properties: Record<string, unknown>;
      additionalProperties: unknown;
    };
    const official = officialJsonSchema("AgentIdentityParams");
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(official.properties).sort());
    expect(schema.additionalProperties).toBe(false);
    expect(official.additionalProperties).toBe(false);
    // The generated JSON Schema and the official definition decide the same on examples.
    const ours = new Ajv().compile(schema);
    const theirs = officialValidator("AgentIdentityParams");
    for (const example of [{}, { agentId: "main" }, { agentId: "" }, { sessionKey: 5 }, { agentId: "a", extra: 1 }, []]) {
      expect(ours(example), JSON.stringify(example)).toBe(theirs(example));
      expect(AgentIdentityGet.params.safeParse(example).success, JSON.stringify(example)).toBe(theirs(example));
    }
  });

  it("step 3: the typed methods' JSON Schemas agree with the official *Params definitions", () => {
    for (const definition of Object.values(Methods)) {
      const name = OFFICIAL_PARAMS[definition.method];
      if (name === undefined) continue; // not in the 2026.9.1 contract
      const ours = z.toJSONSchema(definition.params, { target: "draft-7" }) as {
        properties?: Record<string, unknown>;
        required?: string[];
        additionalProperties?: unknown;
      };
      const official = officialJsonSchema(name);
      expect(Object.keys(ours.properties ?? {}).sort(), definition.method).toEqual(Object.keys(official.properties).sort());
      expect([...(ours.required ?? [])].sort(), definition.method).toEqual([...(official.required ?? [])].sort());
      expect(ours.additionalProperties === false, definition.method).toBe(official.additionalProperties === false);
    }
  });

  it("step 4: a corpus fixture of a request is validated by the contract tests", () => {
    const frame = {
      type: "req",
      id: "8:1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
      method: AgentIdentityGet.method,
      params: { agentId: "main" },
    };
    expect(GatewayFrame.parse(frame)).toEqual(frame);
    expect(AgentIdentityGet.params.parse(frame.params)).toEqual({ agentId: "main" });
    expect(runOfficial(officialValidator("AgentIdentityParams"), frame.params).valid).toBe(true);
    // For a method in `Methods` with an entry in OFFICIAL_PARAMS, the corpus test
    // runs these checks by itself (e.g. the committed node.invoke request):
    const corpusChecks = validFrames.flatMap((f) => payloadChecksFor(f.value)).map((c) => c.label);
    expect(corpusChecks).toContain("req node.invoke params");
  });
});

describe("contributor guide: adding an event", () => {
  it("event names live in GatewayEvents; payload schemas validate event frames", () => {
    const tick = { type: "event", event: GatewayEvents.TICK, payload: { ts: 1_790_000_030_000 }, seq: 2 };
    expect(GatewayFrame.parse(tick).type).toBe("event");
    expect(TickPayload.parse(tick.payload)).toEqual({ ts: 1_790_000_030_000 });
    expect(runOfficial(officialValidator("TickEvent"), tick.payload).valid).toBe(true);
  });

  it("a new event payload schema agrees with its official definition", () => {
    const frame = {
      type: "event",
      event: NODE_INVOKE_INPUT,
      payload: { id: "inv-1", nodeId: "n1", seq: 0, payloadJSON: '{"stdin":"y\\n"}' },
    };
    expect(GatewayFrame.safeParse(frame).success).toBe(true);
    const official = officialValidator("NodeInvokeInputEvent");
    for (const payload of [
      frame.payload,
      { ...frame.payload, seq: -1 },
      { ...frame.payload, payloadJSON: "x".repeat(16_385) },
      { ...frame.payload, extra: true },
      { id: "inv-1", nodeId: "n1", seq: 0 },
    ]) {
      expect(NodeInvokeInputPayload.safeParse(payload).success).toBe(official(payload));
    }
  });
});

interface JsonObjectSchema {
  properties: Record<string, unknown>;
  required?: string[];
  additionalProperties?: unknown;
}

function officialJsonSchema(name: string): JsonObjectSchema {
  return officialValidator(name).schema as JsonObjectSchema;
}

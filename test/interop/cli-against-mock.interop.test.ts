import { randomUUID } from "node:crypto";
import { MockNode } from "@clawbridge/mock-gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRealGateway } from "./harness/gateway.ts";
import type { RealGateway } from "./harness/gateway.ts";
import { callGateway } from "./harness/gateway-rpc.ts";
import { startMockTarget } from "./harness/mock-target.ts";
import type { MockTarget } from "./harness/mock-target.ts";
import { runOpenClaw } from "./harness/openclaw-cli.ts";
import type { OpenClawRunResult } from "./harness/openclaw-cli.ts";
import { isObject } from "./harness/raw-client.ts";
import { WRONG_TOKEN } from "./parity/handshake-parity-cases.ts";

/**
 * Acceptance point 2 of issue #3: the real `openclaw gateway call <method> --json` (target and
 * token from env `OPENCLAW_GATEWAY_URL` / `OPENCLAW_GATEWAY_TOKEN`, isolated HOME, no secret on
 * argv) against MockGateway, side by side with a real gateway: the same exit code, the same
 * top-level JSON type and the same keys for `health`, `status`, `system-presence`, `node.list`
 * and `node.describe` (a node is attached to both), and the same failure envelope for a wrong
 * token, an unknown method and a missing scope.
 *
 * Missing scope: `gateway call node.pair.approve` requests only what the method table asks
 * for (`operator.pairing`), but approving a node whose surface declares `system.run` also
 * needs `operator.admin` — checked by the handler on both gateways (FORBIDDEN MISSING_SCOPE).
 */

const TOKEN = `interop-token-${randomUUID()}`;
const NODE_NAME = "WN-cli";

interface Side {
  readonly name: "real" | "mock";
  readonly gateway: RealGateway;
  readonly node: MockNode;
}

let real: RealGateway;
let mock: MockTarget;
let sides: readonly [Side, Side];

beforeAll(async () => {
  [real, mock] = await Promise.all([startRealGateway({ auth: { token: TOKEN } }), startMockTarget({ auth: { token: TOKEN } })]);
  // The same kind of node on both: a device-identity node host declaring system.run (its surface stays pending).
  const attach = async (gateway: RealGateway): Promise<MockNode> => {
    const node = new MockNode({ url: gateway.url, token: TOKEN, displayName: NODE_NAME, commands: ["system.run"] });
    await node.start();
    return node;
  };
  const [nodeOnReal, nodeOnMock] = await Promise.all([attach(real), attach(mock)]);
  sides = [
    { name: "real", gateway: real, node: nodeOnReal },
    { name: "mock", gateway: mock, node: nodeOnMock },
  ];
  process.stderr.write(`[interop] real gateway ready in ${real.startMs} ms; mock at ${mock.url}\n`);
});

afterAll(async () => {
  await Promise.all((sides ?? []).map((side) => side.node.stop()));
  await Promise.all([real?.stop(), mock?.stop()]);
});

/** `openclaw gateway call <method> --json [--params …]` against one side (credentials via env only). */
function gatewayCall(side: Side, method: string, params?: unknown, extraEnv: Record<string, string> = {}): Promise<OpenClawRunResult> {
  const args = ["gateway", "call", method, "--json", ...(params === undefined ? [] : ["--params", JSON.stringify(params)])];
  return runOpenClaw(args, { gateway: side.gateway, extraEnv });
}

/** Runs the same call on both sides at once. */
async function onBoth(call: (side: Side) => Promise<OpenClawRunResult>): Promise<{ real: OpenClawRunResult; mock: OpenClawRunResult }> {
  const [onReal, onMock] = await Promise.all(sides.map(call));
  return { real: onReal as OpenClawRunResult, mock: onMock as OpenClawRunResult };
}

/** Parses the single JSON document a `--json` run printed, checking the CLI's own formatting. */
function parsedStdout(result: OpenClawRunResult, label: string): unknown {
  let parsed: unknown;
  expect(() => (parsed = JSON.parse(result.stdout)), `${label} stdout is JSON: ${result.stdout.slice(0, 300)}`).not.toThrow();
  expect(result.stdout, `${label} prints one 2-space-indented document`).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
  return parsed;
}

function jsonType(value: unknown): string {
  return Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
}

function sortedKeys(value: unknown): string[] {
  return isObject(value) ? Object.keys(value).sort() : [];
}

/** What the CLI output must agree on between the two gateways, per method. */
const SUCCESS_CASES: ReadonlyArray<{
  readonly method: string;
  readonly params?: (side: Side) => unknown;
  /** Key sets (beyond the top level) that must be equal. */
  readonly nested?: (payload: unknown, side: Side) => Record<string, string[]>;
}> = [
  { method: "health", nested: (payload) => ({ agent: sortedKeys(isObject(payload) && Array.isArray(payload["agents"]) ? payload["agents"][0] : undefined) }) },
  { method: "status", nested: (payload) => ({ sessions: sortedKeys(isObject(payload) ? payload["sessions"] : undefined) }) },
  {
    method: "system-presence",
    nested: (payload) => {
      const rows = Array.isArray(payload) ? payload.filter(isObject) : [];
      return {
        self: sortedKeys(rows.find((row) => row["reason"] === "self")),
        node: sortedKeys(rows.find((row) => row["clientId"] === "node-host")),
      };
    },
  },
  {
    method: "node.list",
    nested: (payload, side) => {
      const nodes = isObject(payload) && Array.isArray(payload["nodes"]) ? payload["nodes"].filter(isObject) : [];
      return { node: sortedKeys(nodes.find((node) => node["nodeId"] === side.node.nodeId)) };
    },
  },
  { method: "node.describe", params: (side) => ({ nodeId: side.node.nodeId }) },
];

describe("real `openclaw gateway call --json` against MockGateway and a real gateway", () => {
  for (const testCase of SUCCESS_CASES) {
    it(`${testCase.method}: exit 0 on both, the same JSON type and the same keys`, async () => {
      const runs = await onBoth((side) => gatewayCall(side, testCase.method, testCase.params?.(side)));
      expect(runs.real.code, runs.real.stderr).toBe(0);
      expect(runs.mock.code, runs.mock.stderr).toBe(0);
      const onReal = parsedStdout(runs.real, "real");
      const onMock = parsedStdout(runs.mock, "mock");
      expect(jsonType(onMock)).toBe(jsonType(onReal));
      expect(sortedKeys(onMock)).toEqual(sortedKeys(onReal));
      if (testCase.nested !== undefined) {
        const [realSide, mockSide] = sides;
        const realNested = testCase.nested(onReal, realSide);
        expect(Object.values(realNested).every((keys) => keys.length > 0), "the real output has every nested part").toBe(true);
        expect(testCase.nested(onMock, mockSide)).toEqual(realNested);
      }
    });
  }

  it("a wrong token: exit 1 on both with the same gateway_request_error envelope (AUTH_TOKEN_MISMATCH)", async () => {
    const runs = await onBoth((side) => gatewayCall(side, "health", undefined, { OPENCLAW_GATEWAY_TOKEN: WRONG_TOKEN }));
    expect(runs.real.code).toBe(1);
    expect(runs.mock.code).toBe(runs.real.code);
    const onReal = parsedStdout(runs.real, "real");
    expect(onReal).toMatchObject({ ok: false, error: { type: "gateway_request_error", code: "INVALID_REQUEST", details: { code: "AUTH_TOKEN_MISMATCH" } } });
    expect(parsedStdout(runs.mock, "mock")).toEqual(onReal);
    for (const run of [runs.real, runs.mock]) expect(run.stderr).toContain("gateway connect failed: GatewayClientRequestError: unauthorized");
  });

  it("an unknown method: exit 1 on both with the same envelope (INVALID_REQUEST unknown method)", async () => {
    const runs = await onBoth((side) => gatewayCall(side, "nope.x"));
    expect(runs.real.code).toBe(1);
    expect(runs.mock.code).toBe(runs.real.code);
    const onReal = parsedStdout(runs.real, "real");
    expect(onReal).toEqual({ ok: false, error: { type: "gateway_request_error", code: "INVALID_REQUEST", message: "unknown method: nope.x", retryable: false } });
    expect(parsedStdout(runs.mock, "mock")).toEqual(onReal);
  });

  it("a missing scope: node.pair.approve of a system.run surface with the CLI's least-privilege scopes fails the same on both", async () => {
    const pendingRequestId = async (side: Side): Promise<string> => {
      const listed = await callGateway(side.gateway.url, { auth: side.gateway.auth, method: "node.pair.list" });
      const pending = isObject(listed.payload) && Array.isArray(listed.payload["pending"]) ? listed.payload["pending"].filter(isObject) : [];
      const request = pending.find((entry) => entry["nodeId"] === side.node.nodeId);
      expect(request?.["requiredApproveScopes"], `${side.name} pending request`).toEqual(["operator.pairing", "operator.admin"]);
      return String(request?.["requestId"]);
    };
    const runs = await onBoth(async (side) => gatewayCall(side, "node.pair.approve", { requestId: await pendingRequestId(side) }));
    expect(runs.real.code).toBe(1);
    expect(runs.mock.code).toBe(runs.real.code);
    const onReal = parsedStdout(runs.real, "real");
    expect(onReal).toEqual({
      ok: false,
      error: {
        type: "gateway_request_error",
        code: "FORBIDDEN",
        message: "missing scope: operator.admin",
        details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.pairing", "operator.admin"] },
        retryable: false,
      },
    });
    expect(parsedStdout(runs.mock, "mock")).toEqual(onReal);
  });
});

import { createDeviceIdentity } from "@clawbridge/mock-gateway";
import { buildConnectParams } from "../harness/frame-script.ts";
import type { FrameOutcome, FrameScriptStep } from "../harness/frame-script.ts";
import { signedConnectParams } from "../harness/signed-connect.ts";
import type { ProofTamper } from "../harness/signed-connect.ts";
import type { ParityCase } from "./handshake-parity-cases.ts";

/** A {@link ParityCase} that may open its socket with extra upgrade headers. */
export interface HeaderParityCase extends ParityCase {
  /** Upgrade request headers (`Origin`, `Host`, …). Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
}

const ok = (id: string): FrameOutcome => ({ type: "response", id, ok: true });
const invalid = (id: string, detailsCode?: string): FrameOutcome => ({
  type: "response",
  id,
  ok: false,
  errorCode: "INVALID_REQUEST",
  ...(detailsCode !== undefined ? { detailsCode } : {}),
});
const forbidden = (id: string): FrameOutcome => ({ type: "response", id, ok: false, errorCode: "FORBIDDEN", detailsCode: "MISSING_SCOPE" });

const connectOperator = (token: string, scopes: readonly string[], clientId = "cli", clientMode = "cli"): FrameScriptStep => ({
  kind: "connect",
  id: "c1",
  params: buildConnectParams({ clientId, clientMode, scopes, auth: { token } }),
});

/** Connect as a `node-host`/`node` with a fresh Ed25519 identity (new on every script build). */
const connectNode = (token: string, tamper?: ProofTamper): FrameScriptStep => ({
  kind: "connect",
  id: "c1",
  params: signedConnectParams({
    identity: createDeviceIdentity(),
    clientId: "node-host",
    clientMode: "node",
    role: "node",
    displayName: "parity-node",
    auth: { token },
    ...(tamper !== undefined ? { tamper } : {}),
  }),
});

/** One request after a successful operator connect. */
const afterHello = (token: string, scopes: readonly string[], method: string, params?: unknown): FrameScriptStep[] => [
  connectOperator(token, scopes),
  { kind: "expect-response", id: "c1" },
  { kind: "request", id: "r1", method, ...(params !== undefined ? { params } : {}) },
  { kind: "expect-response", id: "r1" },
];

const refusedThenClosed = (step: FrameScriptStep): FrameScriptStep[] => [step, { kind: "expect-response", id: "c1" }, { kind: "expect-close" }];

/**
 * Dispatch, role, device-proof and locality cases beyond the handshake corpus. Their
 * `expected` outcomes were observed on a real `openclaw@2026.9.6` gateway (token mode,
 * loopback) by `mock-parity.interop.test.ts`, which checks them live on every run.
 */
export const DISPATCH_PARITY_CASES: readonly HeaderParityCase[] = [
  {
    name: "second connect after hello as operator.admin: INVALID_REQUEST (connect only valid first)",
    script: (token) => [
      connectOperator(token, ["operator.admin"]),
      { kind: "expect-response", id: "c1" },
      { ...connectOperator(token, ["operator.admin"]), id: "c2" },
      { kind: "expect-response", id: "c2" },
    ],
    expected: [ok("c1"), invalid("c2")],
  },
  {
    name: "status as operator.write succeeds (write implies read)",
    script: (token) => afterHello(token, ["operator.write"], "status"),
    expected: [ok("c1"), ok("r1")],
  },
  {
    name: "node.invoke as operator.read is FORBIDDEN (operator.write missing)",
    script: (token) => afterHello(token, ["operator.read"], "node.invoke", { nodeId: "n", command: "system.run", idempotencyKey: "k" }),
    expected: [ok("c1"), forbidden("r1")],
  },
  {
    name: "system-event as operator.write is FORBIDDEN (operator.admin missing)",
    script: (token) => afterHello(token, ["operator.write"], "system-event", { text: "x" }),
    expected: [ok("c1"), forbidden("r1")],
  },
  {
    name: "node.pair.list as operator.write is FORBIDDEN (operator.pairing missing)",
    script: (token) => afterHello(token, ["operator.write"], "node.pair.list", {}),
    expected: [ok("c1"), forbidden("r1")],
  },
  {
    name: "exec.approval.list as operator.approvals succeeds (the skill's pending_approvals)",
    script: (token) => afterHello(token, ["operator.approvals"], "exec.approval.list", {}),
    expected: [ok("c1"), ok("r1")],
  },
  {
    name: "exec.approval.list as operator.write is FORBIDDEN (operator.approvals missing)",
    script: (token) => afterHello(token, ["operator.write"], "exec.approval.list", {}),
    expected: [ok("c1"), forbidden("r1")],
  },
  {
    name: "node.describe without nodeId is INVALID_REQUEST",
    script: (token) => afterHello(token, ["operator.read"], "node.describe", {}),
    expected: [ok("c1"), invalid("r1")],
  },
  {
    name: "node.describe of an unknown node is INVALID_REQUEST",
    script: (token) => afterHello(token, ["operator.read"], "node.describe", { nodeId: "no-such-node" }),
    expected: [ok("c1"), invalid("r1")],
  },
  {
    name: "node.invoke without idempotencyKey is INVALID_REQUEST",
    script: (token) => afterHello(token, ["operator.write"], "node.invoke", { nodeId: "no-such-node", command: "system.run" }),
    expected: [ok("c1"), invalid("r1")],
  },
  {
    name: "node.invoke of an unknown node is UNAVAILABLE PAIRING_CHANGED",
    script: (token) =>
      afterHello(token, ["operator.write"], "node.invoke", { nodeId: "no-such-node", command: "system.run", idempotencyKey: "k-unknown" }),
    expected: [ok("c1"), { type: "response", id: "r1", ok: false, errorCode: "UNAVAILABLE", detailsCode: "PAIRING_CHANGED" }],
  },
  {
    name: "an operator calling a node-role method is INVALID_REQUEST (unauthorized role)",
    script: (token) => afterHello(token, ["operator.admin"], "node.event", { event: "x" }),
    expected: [ok("c1"), invalid("r1")],
  },
  {
    name: "request with a traceparent over 128 chars is an invalid request frame",
    script: (token) => [
      connectOperator(token, ["operator.read"]),
      { kind: "expect-response", id: "c1" },
      { kind: "send-json", frame: { type: "req", id: "t1", method: "health", traceparent: "x".repeat(129) } },
      { kind: "expect-response", id: "t1" },
    ],
    expected: [ok("c1"), invalid("t1")],
  },
  {
    name: "more than 10 consecutive unauthorized-role calls close 1008 repeated unauthorized calls",
    script: (token) => [
      connectOperator(token, ["operator.admin"]),
      { kind: "expect-response", id: "c1" },
      ...Array.from({ length: 11 }, (_, i): FrameScriptStep[] => [
        { kind: "request", id: `u${i}`, method: "node.event", params: { event: "x" } },
        { kind: "expect-response", id: `u${i}` },
      ]).flat(),
      { kind: "expect-close" },
    ],
    expected: [
      ok("c1"),
      ...Array.from({ length: 11 }, (_, i) => invalid(`u${i}`)),
      { type: "close", code: 1008, reason: "repeated unauthorized calls" },
    ],
  },
  {
    name: "empty token and no device: NOT_PAIRED DEVICE_IDENTITY_REQUIRED, close 1008",
    script: () => refusedThenClosed({ kind: "connect", id: "c1", params: buildConnectParams({ scopes: ["operator.read"], auth: { token: "" } }) }),
    expected: [
      { type: "response", id: "c1", ok: false, errorCode: "NOT_PAIRED", detailsCode: "DEVICE_IDENTITY_REQUIRED" },
      { type: "close", code: 1008, reason: "device identity required" },
    ],
  },
  {
    name: "pre-auth empty text frame: no response, close 1000",
    script: () => [{ kind: "send", text: "" }, { kind: "expect-close" }],
    expected: [{ type: "close", code: 1000, reason: "" }],
  },
  {
    name: "openclaw-tui/ui without a device: CONTROL_UI_DEVICE_IDENTITY_REQUIRED, close 1008",
    script: (token) => refusedThenClosed(connectOperator(token, ["operator.read"], "openclaw-tui", "ui")),
    expected: [
      invalid("c1", "CONTROL_UI_DEVICE_IDENTITY_REQUIRED"),
      { type: "close", code: 1008, reason: "control ui requires device identity (use HTTPS or localhost secure context)" },
    ],
  },
  {
    name: "gateway-client/backend keeps its scopes on loopback (status works)",
    script: (token) => [
      connectOperator(token, ["operator.read"], "gateway-client", "backend"),
      { kind: "expect-response", id: "c1" },
      { kind: "request", id: "r1", method: "status" },
      { kind: "expect-response", id: "r1" },
    ],
    expected: [ok("c1"), ok("r1")],
  },
  {
    name: "probe client with protocol 3..3 is admitted",
    script: (token) => [
      {
        kind: "connect",
        id: "c1",
        params: buildConnectParams({ clientId: "openclaw-probe", clientMode: "probe", minProtocol: 3, maxProtocol: 3, scopes: ["operator.read"], auth: { token } }),
      },
      { kind: "expect-response", id: "c1" },
    ],
    expected: [ok("c1")],
  },
  {
    name: "node role without a device: NOT_PAIRED DEVICE_IDENTITY_REQUIRED",
    script: (token) =>
      refusedThenClosed({
        kind: "connect",
        id: "c1",
        params: buildConnectParams({ clientId: "node-host", clientMode: "node", role: "node", auth: { token } }),
      }),
    expected: [
      { type: "response", id: "c1", ok: false, errorCode: "NOT_PAIRED", detailsCode: "DEVICE_IDENTITY_REQUIRED" },
      { type: "close", code: 1008, reason: "device identity required" },
    ],
  },
  {
    name: "node role with a device: health works, node.list is INVALID_REQUEST (unauthorized role)",
    script: (token) => [
      connectNode(token),
      { kind: "expect-response", id: "c1" },
      { kind: "request", id: "h1", method: "health" },
      { kind: "expect-response", id: "h1" },
      { kind: "request", id: "n1", method: "node.list", params: {} },
      { kind: "expect-response", id: "n1" },
      { kind: "request", id: "u1", method: "nope.x" },
      { kind: "expect-response", id: "u1" },
    ],
    expected: [ok("c1"), ok("h1"), invalid("n1"), invalid("u1")],
  },
  ...(
    [
      ["signature", "DEVICE_AUTH_SIGNATURE_INVALID", "device signature invalid"],
      ["nonce", "DEVICE_AUTH_NONCE_MISMATCH", "device nonce mismatch"],
      ["device-id", "DEVICE_AUTH_DEVICE_ID_MISMATCH", "device identity mismatch"],
      ["signed-at", "DEVICE_AUTH_SIGNATURE_EXPIRED", "device signature expired"],
    ] as const
  ).map(
    ([tamper, detailsCode, reason]): HeaderParityCase => ({
      name: `node device proof with a bad ${tamper}: INVALID_REQUEST ${detailsCode}, close 1008`,
      script: (token) => refusedThenClosed(connectNode(token, tamper)),
      expected: [invalid("c1", detailsCode), { type: "close", code: 1008, reason }],
    }),
  ),
  {
    name: "a non-local Host header keeps the scopes of cli/cli (status works)",
    headers: { Host: "gw2.example.com" },
    script: (token) => afterHello(token, ["operator.read"], "status"),
    expected: [ok("c1"), ok("r1")],
  },
  {
    name: "a loopback Origin clears the scopes of cli/cli (status FORBIDDEN)",
    headers: { Origin: "http://127.0.0.1" },
    script: (token) => afterHello(token, ["operator.read"], "status"),
    expected: [ok("c1"), forbidden("r1")],
  },
  {
    name: "a foreign Origin is refused: CONTROL_UI_ORIGIN_NOT_ALLOWED, close 1008",
    headers: { Origin: "https://evil.example" },
    script: (token) => refusedThenClosed(connectOperator(token, ["operator.read"])),
    expected: [
      invalid("c1", "CONTROL_UI_ORIGIN_NOT_ALLOWED"),
      { type: "close", code: 1008, reason: "origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)" },
    ],
  },
  {
    name: "an Origin of \"null\" is refused like a foreign one",
    headers: { Origin: "null" },
    script: (token) => refusedThenClosed(connectOperator(token, ["operator.read"])),
    expected: [
      invalid("c1", "CONTROL_UI_ORIGIN_NOT_ALLOWED"),
      { type: "close", code: 1008, reason: "origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)" },
    ],
  },
];

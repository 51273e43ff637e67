import { buildConnectParams } from "../harness/frame-script.ts";
import type { FrameOutcome, FrameScriptStep } from "../harness/frame-script.ts";

/** A frame script plus the outcomes the real OpenClaw 2026.9.6 gateway produced for it. */
export interface ParityCase {
  /** Stable, human-readable name (used as the test title). */
  readonly name: string;
  /** Builds the script for a gateway configured with shared token `token`. */
  readonly script: (token: string) => FrameScriptStep[];
  /** Outcomes observed on the real gateway; the mock gateway must produce exactly these. */
  readonly expected: readonly FrameOutcome[];
}

/** A token that is never the gateway's (real or mock). */
export const WRONG_TOKEN = "definitely-not-the-gateway-token";

/** Bytes of the largest pre-auth frame the real gateway accepts (`MAX_PREAUTH_PAYLOAD_BYTES`). */
export const PREAUTH_LIMIT_BYTES = 65_536;

const connectCli = (token: string, scopes: readonly string[], id = "c1"): FrameScriptStep => ({
  kind: "connect",
  id,
  params: buildConnectParams({ clientId: "cli", clientMode: "cli", scopes, auth: { token } }),
});

const connectTest = (token: string, scopes: readonly string[]): FrameScriptStep => ({
  kind: "connect",
  id: "c1",
  params: buildConnectParams({ clientId: "test", clientMode: "test", scopes, auth: { token } }),
});

const ok = (id: string): FrameOutcome => ({ type: "response", id, ok: true });

/**
 * Handshake and dispatch edge cases whose wire outcome (response codes, close code and reason)
 * was observed on a real `openclaw@2026.9.6` gateway started with `gateway.auth.mode: "token"`
 * on loopback. Shared by the real-gateway suite (which pins them) and mock-gateway parity tests.
 */
export const HANDSHAKE_PARITY_CASES: readonly ParityCase[] = [
  {
    name: "cli/cli operator with token connects and reads health",
    script: (token) => [connectCli(token, ["operator.read"]), { kind: "expect-response", id: "c1" }, { kind: "request", id: "h1", method: "health" }, { kind: "expect-response", id: "h1" }],
    expected: [ok("c1"), ok("h1")],
  },
  {
    name: "test/test operator without device gets no scopes: status is FORBIDDEN, health still works",
    script: (token) => [
      connectTest(token, ["operator.read"]),
      { kind: "expect-response", id: "c1" },
      { kind: "request", id: "s1", method: "status" },
      { kind: "expect-response", id: "s1" },
      { kind: "request", id: "h1", method: "health" },
      { kind: "expect-response", id: "h1" },
    ],
    expected: [ok("c1"), { type: "response", id: "s1", ok: false, errorCode: "FORBIDDEN", detailsCode: "MISSING_SCOPE" }, ok("h1")],
  },
  {
    name: "unknown method as non-admin is FORBIDDEN (operator.admin missing)",
    script: (token) => [connectCli(token, ["operator.read"]), { kind: "expect-response", id: "c1" }, { kind: "request", id: "u1", method: "nope.x" }, { kind: "expect-response", id: "u1" }],
    expected: [ok("c1"), { type: "response", id: "u1", ok: false, errorCode: "FORBIDDEN", detailsCode: "MISSING_SCOPE" }],
  },
  {
    name: "unknown method as admin is INVALID_REQUEST without details",
    script: (token) => [connectCli(token, ["operator.admin"]), { kind: "expect-response", id: "c1" }, { kind: "request", id: "u1", method: "nope.x" }, { kind: "expect-response", id: "u1" }],
    expected: [ok("c1"), { type: "response", id: "u1", ok: false, errorCode: "INVALID_REQUEST" }],
  },
  {
    name: "node.list with an unknown param is INVALID_REQUEST",
    script: (token) => [
      connectCli(token, ["operator.read"]),
      { kind: "expect-response", id: "c1" },
      { kind: "request", id: "n1", method: "node.list", params: { bogus: 1 } },
      { kind: "expect-response", id: "n1" },
    ],
    expected: [ok("c1"), { type: "response", id: "n1", ok: false, errorCode: "INVALID_REQUEST" }],
  },
  {
    name: "a second connect after hello is an admin-only method call (FORBIDDEN for operator.read)",
    script: (token) => [
      connectCli(token, ["operator.read"]),
      { kind: "expect-response", id: "c1" },
      connectCli(token, ["operator.read"], "c2"),
      { kind: "expect-response", id: "c2" },
    ],
    expected: [ok("c1"), { type: "response", id: "c2", ok: false, errorCode: "FORBIDDEN", detailsCode: "MISSING_SCOPE" }],
  },
  {
    name: "wrong token: INVALID_REQUEST AUTH_TOKEN_MISMATCH, then close 1008 with the message",
    script: () => [connectCli(WRONG_TOKEN, ["operator.read"]), { kind: "expect-response", id: "c1" }, { kind: "expect-close" }],
    expected: [
      { type: "response", id: "c1", ok: false, errorCode: "INVALID_REQUEST", detailsCode: "AUTH_TOKEN_MISMATCH" },
      { type: "close", code: 1008, reason: "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)" },
    ],
  },
  {
    name: "wrong token from a test client: different hint in the message",
    script: () => [
      { kind: "connect", id: "c1", params: buildConnectParams({ clientId: "test", clientMode: "test", auth: { token: WRONG_TOKEN } }) },
      { kind: "expect-response", id: "c1" },
      { kind: "expect-close" },
    ],
    expected: [
      { type: "response", id: "c1", ok: false, errorCode: "INVALID_REQUEST", detailsCode: "AUTH_TOKEN_MISMATCH" },
      { type: "close", code: 1008, reason: "unauthorized: gateway token mismatch (provide gateway auth token)" },
    ],
  },
  {
    name: "no credentials and no device: NOT_PAIRED DEVICE_IDENTITY_REQUIRED, close 1008",
    script: () => [
      { kind: "connect", id: "c1", params: buildConnectParams({ scopes: ["operator.read"] }) },
      { kind: "expect-response", id: "c1" },
      { kind: "expect-close" },
    ],
    expected: [
      { type: "response", id: "c1", ok: false, errorCode: "NOT_PAIRED", detailsCode: "DEVICE_IDENTITY_REQUIRED" },
      { type: "close", code: 1008, reason: "device identity required" },
    ],
  },
  {
    name: "protocol 3..3 operator: INVALID_REQUEST PROTOCOL_MISMATCH, close 1002",
    script: (token) => [
      { kind: "connect", id: "c1", params: buildConnectParams({ minProtocol: 3, maxProtocol: 3, scopes: ["operator.read"], auth: { token } }) },
      { kind: "expect-response", id: "c1" },
      { kind: "expect-close" },
    ],
    expected: [
      { type: "response", id: "c1", ok: false, errorCode: "INVALID_REQUEST", detailsCode: "PROTOCOL_MISMATCH" },
      { type: "close", code: 1002, reason: "protocol mismatch" },
    ],
  },
  {
    name: "first request is not connect: INVALID_REQUEST, close 1008",
    script: () => [{ kind: "request", id: "r1", method: "health" }, { kind: "expect-response", id: "r1" }, { kind: "expect-close" }],
    expected: [
      { type: "response", id: "r1", ok: false, errorCode: "INVALID_REQUEST" },
      { type: "close", code: 1008, reason: "invalid handshake: first request must be connect" },
    ],
  },
  {
    name: "connect with an unknown client.id: INVALID_REQUEST, close 1008 with the ajv message",
    script: (token) => [
      { kind: "connect", id: "c1", params: buildConnectParams({ clientId: "bogus", auth: { token } }) },
      { kind: "expect-response", id: "c1" },
      { kind: "expect-close" },
    ],
    expected: [
      { type: "response", id: "c1", ok: false, errorCode: "INVALID_REQUEST" },
      { type: "close", code: 1008, reason: "invalid connect params: at /client/id: must be equal to one of the allowed values" },
    ],
  },
  {
    name: "connect with role admin: INVALID_REQUEST, close 1008 invalid role",
    script: (token) => [
      { kind: "connect", id: "c1", params: buildConnectParams({ role: "admin", auth: { token } }) },
      { kind: "expect-response", id: "c1" },
      { kind: "expect-close" },
    ],
    expected: [{ type: "response", id: "c1", ok: false, errorCode: "INVALID_REQUEST" }, { type: "close", code: 1008, reason: "invalid role" }],
  },
  {
    name: "pre-auth text that is not JSON: no response, close 1000 with empty reason",
    script: () => [{ kind: "send", text: "this is not json" }, { kind: "expect-close" }],
    expected: [{ type: "close", code: 1000, reason: "" }],
  },
  {
    name: "pre-auth JSON that is not a request frame: no response, close 1008 invalid request frame",
    script: () => [{ kind: "send-json", frame: { type: "req", method: "connect" } }, { kind: "expect-close" }],
    expected: [{ type: "close", code: 1008, reason: "invalid request frame" }],
  },
  {
    name: "pre-auth frame of exactly 64 KiB passes the size cap (then closes 1000 as unparsable)",
    script: () => [{ kind: "send", text: "x".repeat(PREAUTH_LIMIT_BYTES) }, { kind: "expect-close" }],
    expected: [{ type: "close", code: 1000, reason: "" }],
  },
  {
    name: "pre-auth frame of 64 KiB + 1 byte: close 1009 with empty reason, no response",
    script: () => [
      { kind: "send", text: JSON.stringify({ type: "req", id: "big", method: "connect", params: { pad: "x".repeat(PREAUTH_LIMIT_BYTES) } }) },
      { kind: "expect-close" },
    ],
    expected: [{ type: "close", code: 1009, reason: "" }],
  },
  {
    name: "after hello: unparsable text is ignored and the socket stays usable",
    script: (token) => [
      connectCli(token, ["operator.read"]),
      { kind: "expect-response", id: "c1" },
      { kind: "send", text: "{not json" },
      { kind: "request", id: "h1", method: "health" },
      { kind: "expect-response", id: "h1" },
      { kind: "expect-close", timeoutMs: 1_000 },
    ],
    expected: [ok("c1"), ok("h1"), { type: "no-close" }],
  },
  {
    name: "after hello: invalid request frames get INVALID_REQUEST (id echoed, or \"invalid\" when missing)",
    script: (token) => [
      connectCli(token, ["operator.read"]),
      { kind: "expect-response", id: "c1" },
      { kind: "send-json", frame: { type: "req", id: "x1", method: "health", extra: 1 } },
      { kind: "expect-response", id: "x1" },
      { kind: "send-json", frame: { type: "req", method: "health" } },
      { kind: "expect-response", id: "invalid" },
      { kind: "request", id: "h1", method: "health" },
      { kind: "expect-response", id: "h1" },
    ],
    expected: [ok("c1"), { type: "response", id: "x1", ok: false, errorCode: "INVALID_REQUEST" }, { type: "response", id: "invalid", ok: false, errorCode: "INVALID_REQUEST" }, ok("h1")],
  },
  {
    name: "after hello: a 200 KB request is accepted (post-auth cap is 25 MiB)",
    script: (token) => [
      connectCli(token, ["operator.read"]),
      { kind: "expect-response", id: "c1" },
      { kind: "request", id: "b1", method: "health", params: { pad: "y".repeat(200_000) } },
      { kind: "expect-response", id: "b1" },
    ],
    expected: [ok("c1"), ok("b1")],
  },
];

import * as officialClientInfo from "@openclaw/gateway-protocol/client-info";
import * as officialConnectErrors from "@openclaw/gateway-protocol/connect-error-details";
import * as officialErrors from "@openclaw/gateway-protocol/gateway-error-details";
import * as officialVersion from "@openclaw/gateway-protocol/version";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AuthNextSteps,
  CloseCodes,
  ConnectErrorDetailCodes,
  DEDUPE_MAX,
  DEDUPE_TTL_MS,
  DEFAULT_GATEWAY_PORT,
  DEFAULT_GATEWAY_URL,
  DEVICE_SIGNATURE_SKEW_MS,
  ErrorCodes,
  GATEWAY_CLIENT_CAPS,
  GATEWAY_CLIENT_IDS,
  GATEWAY_CLIENT_MODES,
  GatewayErrorDetailCodes,
  HANDSHAKE_TIMEOUT_MS,
  KEEPALIVE_INTERVAL_MS,
  MAX_BUFFERED_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_PENDING_HANDSHAKE_FRAMES,
  MAX_PREAUTH_PAYLOAD_BYTES,
  MIN_CLIENT_PROTOCOL_VERSION,
  MIN_NODE_PROTOCOL_VERSION,
  MIN_PROBE_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  RECONNECT_PAUSE_DETAIL_CODES,
  TICK_INTERVAL_MS,
  platformIdentity,
  truncateCloseReason,
} from "../src/index.js";

const utf8 = (s: string): number => new TextEncoder().encode(s).length;

describe("close codes (gateway-protocol §3.4)", () => {
  it("match the spec table", () => {
    expect(CloseCodes).toMatchObject({
      NORMAL: 1000,
      PROTOCOL_ERROR: 1002,
      POLICY_VIOLATION: 1008,
      MESSAGE_TOO_BIG: 1009,
      SERVICE_RESTART: 1012,
      TRY_AGAIN_LATER: 1013,
      TICK_TIMEOUT: 4000,
      AUTH_CHANGED: 4001,
    });
  });

  it("are unique and in the WebSocket close-code ranges", () => {
    const codes = Object.values(CloseCodes);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect((code >= 1000 && code <= 1015) || (code >= 4000 && code <= 4999), String(code)).toBe(true);
  });
});

describe("truncateCloseReason (RFC 6455: ≤123 bytes of UTF-8)", () => {
  it.each([
    ["empty", "", ""],
    ["short ascii unchanged", "protocol mismatch", "protocol mismatch"],
    ["exactly 123 ascii bytes unchanged", "a".repeat(123), "a".repeat(123)],
    ["124 ascii bytes cut to 123", "a".repeat(124), "a".repeat(123)],
    ["2-byte chars never split (61 × é = 122 bytes)", "é".repeat(70), "é".repeat(61)],
    ["3-byte chars fill exactly 123 (41 × €)", "€".repeat(50), "€".repeat(41)],
    ["4-byte chars never split (30 × 😀 = 120 bytes)", "😀".repeat(40), "😀".repeat(30)],
    ["a 2-byte char ending at byte 123 is kept", `${"a".repeat(121)}éx`, `${"a".repeat(121)}é`],
    ["a 2-byte char crossing byte 123 is dropped", `${"a".repeat(122)}é`, "a".repeat(122)],
    ["a 4-byte char crossing byte 123 is dropped", `${"a".repeat(120)}😀`, "a".repeat(120)],
  ])("%s", (_name, input, expected) => {
    const out = truncateCloseReason(input);
    expect(out).toBe(expected);
    expect(utf8(out)).toBeLessThanOrEqual(123);
  });

  it("the pairing close reason of a long request id is cut on a character boundary", () => {
    const reason = `pairing required: device is asking for more scopes than currently approved (requestId: ${"ü".repeat(40)})`;
    const out = truncateCloseReason(reason);
    expect(reason.startsWith(out)).toBe(true);
    expect(utf8(out)).toBeLessThanOrEqual(123);
    expect(utf8(out)).toBeGreaterThanOrEqual(122);
  });

  it("property: the result is the longest code-point prefix that fits in 123 bytes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (input) => {
        const out = truncateCloseReason(input);
        expect(input.startsWith(out)).toBe(true);
        // Lone surrogates are sent as U+FFFD (3 bytes), which TextEncoder also does.
        expect(utf8(out)).toBeLessThanOrEqual(123);
        const next = [...input.slice(out.length)][0];
        if (next !== undefined) expect(utf8(out + next)).toBeGreaterThan(123);
      }),
    );
  });
});

describe("error codes (gateway-protocol §3.2, §3.3)", () => {
  it("exactly the seven top-level codes, as in the official package", () => {
    expect(Object.keys(ErrorCodes).sort()).toEqual(
      ["INVALID_REQUEST", "FORBIDDEN", "NOT_PAIRED", "UNAVAILABLE", "APPROVAL_NOT_FOUND", "NOT_LINKED", "AGENT_TIMEOUT"].sort(),
    );
    expect(ErrorCodes).toEqual({ ...officialErrors.ErrorCodes });
    for (const [key, value] of Object.entries(ErrorCodes)) expect(value).toBe(key);
  });

  it("connect-time detail codes equal the spec list and the official package", () => {
    const spec = [
      "AUTH_REQUIRED", "AUTH_UNAUTHORIZED", "AUTH_TOKEN_MISSING", "AUTH_TOKEN_MISMATCH", "AUTH_TOKEN_NOT_CONFIGURED",
      "AUTH_PASSWORD_MISSING", "AUTH_PASSWORD_MISMATCH", "AUTH_PASSWORD_NOT_CONFIGURED", "AUTH_BOOTSTRAP_TOKEN_INVALID",
      "AUTH_DEVICE_TOKEN_MISMATCH", "AUTH_SCOPE_MISMATCH", "AUTH_RATE_LIMITED", "AUTH_TAILSCALE_IDENTITY_MISSING",
      "AUTH_TAILSCALE_PROXY_MISSING", "AUTH_TAILSCALE_WHOIS_FAILED", "AUTH_TAILSCALE_IDENTITY_MISMATCH",
      "AUTH_IDENTITY_HEADER_REQUIRED", "AUTH_VERIFIED_USER_REQUIRED", "AUTHENTICATED_PROFILE_UNAVAILABLE",
      "CONTROL_UI_BUILD_MISMATCH", "CONTROL_UI_ORIGIN_NOT_ALLOWED", "PROTOCOL_MISMATCH",
      "CONTROL_UI_DEVICE_IDENTITY_REQUIRED", "DEVICE_IDENTITY_REQUIRED", "DEVICE_AUTH_INVALID",
      "DEVICE_AUTH_DEVICE_ID_MISMATCH", "DEVICE_AUTH_SIGNATURE_EXPIRED", "DEVICE_AUTH_NONCE_REQUIRED",
      "DEVICE_AUTH_NONCE_MISMATCH", "DEVICE_AUTH_SIGNATURE_INVALID", "DEVICE_AUTH_PUBLIC_KEY_INVALID",
      "PAIRING_REQUIRED", "CLIENT_VERSION_MISMATCH",
    ];
    expect(Object.values(ConnectErrorDetailCodes)).toEqual(spec);
    expect(ConnectErrorDetailCodes).toEqual({ ...officialConnectErrors.ConnectErrorDetailCodes });
  });

  it("method-time detail codes equal the 2026.9.6 spec list, a superset of the 2026.9.1 package", () => {
    expect(Object.values(GatewayErrorDetailCodes)).toEqual([
      "MISSING_SCOPE", "CRON_JOB_NOT_FOUND", "MCP_APP_VIEW_EXPIRED", "OUTBOUND_DELIVERY_QUEUED",
      "USER_PREFS_LIMIT_EXCEEDED", "SESSION_COMPANION_BUSY", "SKILL_PROPOSAL_REVISION_CHANGED", "PROJECT_CLONE_FAILED",
      "UNKNOWN_AGENT_ID", "WIZARD_NOT_FOUND", "SETUP_ADMISSION_BUSY", "GITHUB_PUBLICATION_SELECTION_REJECTED",
      "SESSION_WORKSPACE_RECOVERY_REQUIRED", "TASK_WORKTREE_SOURCE_REQUIRED",
    ]);
    expect(GatewayErrorDetailCodes).toMatchObject({ ...officialErrors.GatewayErrorDetailCodes });
  });

  it("auth next steps equal the spec list", () => {
    expect([...AuthNextSteps]).toEqual([
      "retry_with_device_token",
      "update_auth_configuration",
      "update_auth_credentials",
      "wait_then_retry",
      "review_auth_configuration",
    ]);
  });

  it("reconnect-pausing codes are exactly the reference client's list (gateway-protocol §6.2)", () => {
    expect([...RECONNECT_PAUSE_DETAIL_CODES].sort()).toEqual(
      [
        "AUTH_TOKEN_MISSING", "AUTH_BOOTSTRAP_TOKEN_INVALID", "AUTH_PASSWORD_MISSING", "AUTH_PASSWORD_MISMATCH",
        "AUTH_RATE_LIMITED", "AUTH_DEVICE_TOKEN_MISMATCH", "AUTH_SCOPE_MISMATCH", "AUTH_IDENTITY_HEADER_REQUIRED",
        "AUTH_VERIFIED_USER_REQUIRED", "CONTROL_UI_BUILD_MISMATCH", "PAIRING_REQUIRED",
        "CONTROL_UI_DEVICE_IDENTITY_REQUIRED", "DEVICE_IDENTITY_REQUIRED", "AUTH_TOKEN_MISMATCH", "PROTOCOL_MISMATCH",
        "CLIENT_VERSION_MISMATCH",
      ].sort(),
    );
    const known = new Set<string>(Object.values(ConnectErrorDetailCodes));
    for (const code of RECONNECT_PAUSE_DETAIL_CODES) expect(known.has(code), code).toBe(true);
  });
});

describe("client info (gateway-protocol §2.2, §2.7)", () => {
  it("client ids and modes equal the official enums", () => {
    expect([...GATEWAY_CLIENT_IDS]).toEqual(Object.values(officialClientInfo.GATEWAY_CLIENT_IDS));
    expect([...GATEWAY_CLIENT_MODES]).toEqual(Object.values(officialClientInfo.GATEWAY_CLIENT_MODES));
  });

  it("client caps are the 17 of 2026.9.6, a superset of the 2026.9.1 package", () => {
    expect(GATEWAY_CLIENT_CAPS).toHaveLength(17);
    for (const cap of Object.values(officialClientInfo.GATEWAY_CLIENT_CAPS)) expect(GATEWAY_CLIENT_CAPS).toContain(cap);
  });

  it("platform identity follows process.platform like OpenClaw", () => {
    expect(platformIdentity("linux")).toEqual({ platform: "linux", deviceFamily: "Linux" });
    expect(platformIdentity("darwin")).toEqual({ platform: "macos", deviceFamily: "Mac" });
    expect(platformIdentity("win32")).toEqual({ platform: "windows", deviceFamily: "Windows" });
    expect(platformIdentity("freebsd")).toEqual({ platform: "freebsd", deviceFamily: "freebsd" });
  });
});

describe("limits and versions (gateway-protocol §1, §2, §9)", () => {
  it("match the spec values", () => {
    expect(MAX_PREAUTH_PAYLOAD_BYTES).toBe(64 * 1024);
    expect(MAX_PAYLOAD_BYTES).toBe(25 * 1024 * 1024);
    expect(MAX_BUFFERED_BYTES).toBe(50 * 1024 * 1024);
    expect(MAX_PENDING_HANDSHAKE_FRAMES).toBe(15);
    expect(TICK_INTERVAL_MS).toBe(30_000);
    expect(HANDSHAKE_TIMEOUT_MS).toBe(15_000);
    expect(DEVICE_SIGNATURE_SKEW_MS).toBe(120_000);
    expect(KEEPALIVE_INTERVAL_MS).toBe(25_000);
    expect(DEDUPE_TTL_MS).toBe(5 * 60_000);
    expect(DEDUPE_MAX).toBe(1_000);
    expect(DEFAULT_GATEWAY_PORT).toBe(18_789);
    expect(DEFAULT_GATEWAY_URL).toBe("ws://127.0.0.1:18789");
  });

  it("protocol versions equal the official version module", () => {
    expect({ PROTOCOL_VERSION, MIN_CLIENT_PROTOCOL_VERSION, MIN_NODE_PROTOCOL_VERSION, MIN_PROBE_PROTOCOL_VERSION }).toEqual({
      ...officialVersion,
    });
  });
});

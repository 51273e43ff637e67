import { describe, expect, it } from "vitest";
import { CallTimeoutError, ConnectRejectedError, PairingRequiredError, RemoteProfileError, SecretSourceError } from "@clawbridge/client";
import { ConnectError, ConnectionClosedError, GatewayRequestError } from "@clawbridge/rpc-core";
import { CliError, EXIT_CODE_HELP, errorEnvelope, ExitCodes, InterruptedError, RELAY_POLICY_DENIED, reportError, usageError } from "../src/index.js";

const target = { url: "ws://127.0.0.1:1", urlSource: "remote gw2" };

describe("reportError: the one mapping from failures to exit codes and envelopes (ARCHITECTURE §4)", () => {
  it.each([
    ["usage error", usageError("INVALID_PARAMS", "bad"), ExitCodes.USAGE, "usage_error"],
    ["unknown remote", new RemoteProfileError("UNKNOWN_REMOTE", 'unknown remote "x"'), ExitCodes.USAGE, "usage_error"],
    ["missing secret", new SecretSourceError("env GW2_TOKEN is not set"), ExitCodes.USAGE, "gateway_credentials_required"],
    ["gateway error", new GatewayRequestError({ code: "INVALID_REQUEST", message: "unknown nodeId" }), ExitCodes.GATEWAY_ERROR, "gateway_request_error"],
    ["refused", new ConnectError("ECONNREFUSED"), ExitCodes.CONNECT_FAILED, "gateway_transport_error"],
    ["closed", new ConnectionClosedError(1006, "", { requestSent: true }), ExitCodes.CONNECT_FAILED, "gateway_transport_error"],
    ["auth rejected", new ConnectRejectedError({ code: "INVALID_REQUEST", message: "unauthorized", details: { code: "AUTH_TOKEN_MISMATCH" } }), ExitCodes.CONNECT_REJECTED, "gateway_request_error"],
    ["pairing", new PairingRequiredError({ code: "NOT_PAIRED", message: "pairing required", details: { requestId: "r1" } }), ExitCodes.CONNECT_REJECTED, "gateway_request_error"],
    ["timeout", new CallTimeoutError("node.list", 50, true, "request"), ExitCodes.TIMEOUT, "gateway_transport_error"],
    ["relay denial", new GatewayRequestError({ code: "FORBIDDEN", message: "no", details: { code: RELAY_POLICY_DENIED } }), ExitCodes.RELAY_DENIED, "relay_policy_denied"],
    ["skill denial", new CliError(ExitCodes.RELAY_DENIED, "skill_policy_denied", "INVOKE_NOT_ALLOWED", "no"), ExitCodes.RELAY_DENIED, "skill_policy_denied"],
    ["bug", new TypeError("boom"), ExitCodes.GATEWAY_ERROR, "cli_error"],
  ] as const)("%s", (_label, error, exitCode, type) => {
    const report = reportError(error, { target, remoteId: "gw2" });
    expect(report.exitCode).toBe(exitCode);
    expect(report.body.type).toBe(type);
    const envelope = errorEnvelope(report);
    expect(envelope).toMatchObject({ ok: false, error: { type, code: expect.any(String), message: expect.any(String) } });
  });

  it("says whether a timed-out request had been sent, and names the target of transport failures", () => {
    const report = reportError(new CallTimeoutError("node.list", 50, false, "connect"), { target });
    expect(report.body).toMatchObject({ requestSent: false, phase: "connect", timeoutMs: 50 });
    expect(errorEnvelope(report)).toMatchObject({ gateway: target });
    expect(errorEnvelope(reportError(usageError("X", "y"), { target }))).not.toHaveProperty("gateway");
  });

  it("prefixes a relay's denial once, however the relay words it", () => {
    const denial = (message: string) =>
      reportError(new GatewayRequestError({ code: "FORBIDDEN", message, details: { code: RELAY_POLICY_DENIED } })).line;
    expect(denial("relay policy: node.invoke is not in this client's allowlist")).toBe("denied by relay policy: node.invoke is not in this client's allowlist");
    expect(denial("not allowed")).toBe("denied by relay policy: not allowed");
  });

  it("points an auth failure on a named remote at its profile, not at flags remote test does not have", () => {
    const rejected = new ConnectRejectedError({ code: "INVALID_REQUEST", message: "unauthorized", details: { code: "AUTH_TOKEN_MISMATCH" } });
    const remote = reportError(rejected, { target, remoteId: "gw2" }).hint;
    expect(remote).toContain("clawbridge remote add gw2");
    expect(remote).toContain("--replace");
    expect(remote).not.toContain("--token -");
    expect(reportError(rejected, { target }).hint).toContain("--token-env");
  });

  it("hints at clawbridge gateway methods for an unknown method", () => {
    const report = reportError(new GatewayRequestError({ code: "INVALID_REQUEST", message: "unknown method: nope.x" }));
    expect(report.hint).toContain("clawbridge gateway methods");
    expect(reportError(new GatewayRequestError({ code: "INVALID_REQUEST", message: "unknown nodeId" })).hint).toBeUndefined();
  });

  it("maps SIGINT/SIGTERM interruptions to 130/143 and an interrupted envelope with requestSent", () => {
    const sigint = reportError(new InterruptedError("SIGINT", false));
    expect(sigint.exitCode).toBe(130);
    expect(errorEnvelope(sigint)).toEqual({
      ok: false,
      error: { type: "interrupted", code: "INTERRUPTED", message: "interrupted by SIGINT (request was not sent)", details: { signal: "SIGINT" }, requestSent: false },
    });
    const sigterm = reportError(new InterruptedError("SIGTERM", true));
    expect(sigterm.exitCode).toBe(ExitCodes.TERMINATED);
    expect(sigterm.body).toMatchObject({ requestSent: true, message: expect.stringContaining("request was sent") as unknown });
    expect(EXIT_CODE_HELP).toMatch(/130, 143/);
    expect(EXIT_CODE_HELP).toMatch(/^ {2}7 /m);
  });
});

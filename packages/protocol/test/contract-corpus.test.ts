import { readMissingScopeError } from "@openclaw/gateway-protocol/gateway-error-details";
import {
  readConnectErrorDetailCode,
  readConnectErrorRecoveryAdvice,
  readPairingConnectErrorDetails,
} from "@openclaw/gateway-protocol/connect-error-details";
import { describe, expect, it } from "vitest";
import {
  ConnectChallengePayload,
  ConnectParams,
  GatewayFrame,
  HelloOk,
  MAX_BUFFERED_BYTES,
  MAX_PAYLOAD_BYTES,
  PROTOCOL_VERSION,
  ShutdownPayload,
  TICK_INTERVAL_MS,
  TickPayload,
  isProtocolAccepted,
} from "../src/index.js";
import {
  contractVersion,
  describeErrors,
  invalidFrames,
  officialFrame,
  officialValidator,
  runOfficial,
  validFrames,
} from "./helpers/contract.js";
import { payloadChecksFor, requestMethods } from "./helpers/payload-checks.js";

const requests = requestMethods(validFrames.map((f) => f.value));

function frameNamed(name: string): Record<string, unknown> {
  const fixture = validFrames.find((f) => f.name === `${name}.json`);
  if (fixture === undefined) throw new Error(`missing corpus fixture ${name}.json`);
  return fixture.value as Record<string, unknown>;
}

function errorOf(name: string): Record<string, unknown> {
  return frameNamed(name)["error"] as Record<string, unknown>;
}

describe("frame corpus against zod and the official contract", () => {
  it("pins the 2026.9.1 contract and has a corpus to check", () => {
    expect(contractVersion).toBe("2026.9.1");
    expect(validFrames.length).toBeGreaterThanOrEqual(30);
    expect(invalidFrames.length).toBeGreaterThanOrEqual(20);
  });

  describe.each(validFrames)("valid/$name", ({ value }) => {
    it("is a GatewayFrame (zod) and round-trips unchanged", () => {
      const parsed = GatewayFrame.safeParse(value);
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(parsed.data).toEqual(value);
    });

    it("is accepted by the official frame schema", () => {
      const result = runOfficial(officialFrame, value);
      expect(result.valid, describeErrors(result.errors)).toBe(true);
    });

    it("has payloads accepted by our payload schemas and the official definitions", () => {
      for (const check of payloadChecksFor(value, requests)) {
        const parsed = check.zod.safeParse(check.value);
        expect(parsed.error?.issues ?? [], check.label).toEqual([]);
        if (check.official !== null) {
          const result = runOfficial(officialValidator(check.official), check.value);
          expect(result.valid, `${check.label}: ${describeErrors(result.errors)}`).toBe(true);
        }
      }
    });
  });

  describe.each(invalidFrames)("invalid/$name", ({ value }) => {
    it("is rejected by zod", () => {
      expect(GatewayFrame.safeParse(value).success).toBe(false);
    });

    it("is rejected by the official frame schema", () => {
      expect(runOfficial(officialFrame, value).valid).toBe(false);
    });

  });

  it("covers every frame kind the issue lists", () => {
    const checks = validFrames.flatMap((f) => payloadChecksFor(f.value, requests)).map((c) => c.label);
    for (const label of [
      "event connect.challenge",
      "event tick",
      "event health",
      "event shutdown",
      "event node.invoke.request",
      "event presence entry 0",
      "req connect params",
      "req node.invoke params",
      "req node.invoke.result params",
      "res hello-ok",
      "res node.list result",
      "error details MISSING_SCOPE",
    ]) {
      expect(checks).toContain(label);
    }
    const errors = validFrames.map((f) => (f.value as { error?: { message: string; details?: { code?: string } } }).error);
    const detailCodes = errors.map((e) => e?.details?.code);
    for (const code of ["MISSING_SCOPE", "AUTH_TOKEN_MISMATCH", "PAIRING_REQUIRED", "PROTOCOL_MISMATCH"]) {
      expect(detailCodes).toContain(code);
    }
    const messages = errors.map((e) => e?.message ?? "");
    expect(messages.some((m) => m.startsWith("unknown method: "))).toBe(true);
    expect(messages.some((m) => /^invalid \S+ params: /.test(m))).toBe(true);
    expect(messages.some((m) => m.startsWith("unauthorized role: "))).toBe(true);
  });
});

describe("corpus payload facts (gateway-protocol §2, §3, §9)", () => {
  it("the challenge carries a nonce and a ms timestamp, and no seq", () => {
    const frame = frameNamed("event-connect-challenge");
    expect(frame["seq"]).toBeUndefined();
    const payload = ConnectChallengePayload.parse(frame["payload"]);
    expect(payload.capabilities).toEqual(["model-catalog-snapshot"]);
  });

  it("hello-ok advertises protocol 4 and the 2026.9.6 policy constants", () => {
    const hello = HelloOk.parse(frameNamed("res-hello-ok-operator")["payload"]);
    expect(hello.protocol).toBe(PROTOCOL_VERSION);
    expect(hello.policy).toMatchObject({
      maxPayload: MAX_PAYLOAD_BYTES,
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      tickIntervalMs: TICK_INTERVAL_MS,
    });
    expect(hello.auth.scopes).toContain("operator.admin");
  });

  it("hello-ok without auth (the v3 shape) is rejected by both: auth is required in v4", () => {
    const { auth: _auth, ...v3Shape } = frameNamed("res-hello-ok-node")["payload"] as Record<string, unknown>;
    expect(HelloOk.safeParse(v3Shape).success).toBe(false);
    expect(runOfficial(officialValidator("HelloOk"), v3Shape).valid).toBe(false);
  });

  it("tick and shutdown payloads are closed on both sides", () => {
    const tick = { ...(frameNamed("event-tick")["payload"] as object), extra: 1 };
    expect(TickPayload.safeParse(tick).success).toBe(false);
    expect(runOfficial(officialValidator("TickEvent"), tick).valid).toBe(false);
    const shutdown = { reason: "" };
    expect(ShutdownPayload.safeParse(shutdown).success).toBe(false);
    expect(runOfficial(officialValidator("ShutdownEvent"), shutdown).valid).toBe(false);
  });

  it("connect params with an unknown client id are rejected by both", () => {
    const params = structuredClone(frameNamed("req-connect-cli-token")["params"]) as { client: { id: string } };
    params.client.id = "my-cli";
    expect(ConnectParams.safeParse(params).success).toBe(false);
    expect(runOfficial(officialValidator("ConnectParams"), params).valid).toBe(false);
  });

  it("the connect fixtures are admitted by the version rule the way the gateway admits them", () => {
    for (const name of ["req-connect-cli-token", "req-connect-node-device", "req-connect-probe-v3"]) {
      const params = ConnectParams.parse(frameNamed(name)["params"]);
      expect(
        isProtocolAccepted({ ...params, mode: params.client.mode }),
        name,
      ).toBe(true);
    }
    const mismatch = frameNamed("res-error-protocol-mismatch")["error"] as { details: Record<string, number> };
    expect(
      isProtocolAccepted({
        minProtocol: mismatch.details["clientMinProtocol"] ?? 0,
        maxProtocol: mismatch.details["clientMaxProtocol"] ?? 0,
        role: "operator",
        mode: "cli",
      }),
    ).toBe(false);
  });

  it("OpenClaw's own readers understand the corpus error details", () => {
    expect(readMissingScopeError(errorOf("res-error-missing-scope"))).toEqual({
      code: "MISSING_SCOPE",
      missingScope: "operator.write",
      requiredScopes: ["operator.write"],
    });
    expect(readMissingScopeError(errorOf("res-error-missing-scope-legacy"))).toEqual({
      code: "MISSING_SCOPE",
      missingScope: "operator.read",
      requiredScopes: ["operator.read"],
    });
    const auth = errorOf("res-error-auth-token-mismatch")["details"];
    expect(readConnectErrorDetailCode(auth)).toBe("AUTH_TOKEN_MISMATCH");
    expect(readConnectErrorRecoveryAdvice(auth)).toEqual({
      canRetryWithDeviceToken: false,
      recommendedNextStep: "update_auth_configuration",
    });
    expect(readPairingConnectErrorDetails(errorOf("res-error-pairing-required")["details"])).toMatchObject({
      code: "PAIRING_REQUIRED",
      reason: "not-paired",
      requestedRole: "node",
    });
    expect(readConnectErrorDetailCode(errorOf("res-error-protocol-mismatch")["details"])).toBe("PROTOCOL_MISMATCH");
  });
});

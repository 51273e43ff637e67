import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConnectParams, runFrameScript } from "./harness/frame-script.ts";
import { startRealGateway } from "./harness/gateway.ts";
import type { RealGateway } from "./harness/gateway.ts";
import { runOpenClaw } from "./harness/openclaw-cli.ts";
import { isObject } from "./harness/raw-client.ts";

const PASSWORD = `interop-password-${randomUUID()}`;
const MISMATCH = "unauthorized: gateway password mismatch (use this gateway's gateway.auth.password)";
let gateway: RealGateway;

beforeAll(async () => {
  gateway = await startRealGateway({ auth: { password: PASSWORD } });
});

afterAll(async () => {
  await gateway?.stop();
});

async function connectWith(auth: Record<string, string>): Promise<{ outcomes: unknown[]; response: Record<string, unknown> }> {
  const result = await runFrameScript(gateway.url, [
    { kind: "connect", id: "c1", params: buildConnectParams({ scopes: ["operator.read"], auth }) },
    { kind: "expect-response", id: "c1" },
    { kind: "expect-close", timeoutMs: 1_500 },
  ]);
  const frame = result.transcript.find((f) => isObject(f.json) && f.json["id"] === "c1")?.json;
  expect(isObject(frame)).toBe(true);
  return { outcomes: result.outcomes, response: frame as Record<string, unknown> };
}

describe("real OpenClaw gateway in password mode", () => {
  it("accepts auth.password and reports auth.method password", async () => {
    const { outcomes, response } = await connectWith({ password: PASSWORD });
    expect(outcomes).toEqual([{ type: "response", id: "c1", ok: true }, { type: "no-close" }]);
    expect((response["payload"] as Record<string, unknown>)["auth"]).toEqual({
      method: "password",
      role: "operator",
      scopes: ["operator.read"],
      recoveryScope: expect.any(String),
    });
  });

  it("also accepts the password carried in auth.token", async () => {
    const { outcomes } = await connectWith({ token: PASSWORD });
    expect(outcomes).toEqual([{ type: "response", id: "c1", ok: true }, { type: "no-close" }]);
  });

  it("wrong password (in either field): AUTH_PASSWORD_MISMATCH, close 1008 with the message", async () => {
    for (const auth of [{ password: "nope" }, { token: "nope" }]) {
      const { outcomes, response } = await connectWith(auth);
      expect(outcomes).toEqual([
        { type: "response", id: "c1", ok: false, errorCode: "INVALID_REQUEST", detailsCode: "AUTH_PASSWORD_MISMATCH" },
        { type: "close", code: 1008, reason: MISMATCH },
      ]);
      expect(response["error"]).toEqual({
        code: "INVALID_REQUEST",
        message: MISMATCH,
        details: { code: "AUTH_PASSWORD_MISMATCH", authReason: "password_mismatch", canRetryWithDeviceToken: false, recommendedNextStep: "update_auth_credentials" },
      });
    }
  });

  it("`openclaw gateway call status --json` works with OPENCLAW_GATEWAY_PASSWORD in env", async () => {
    const result = await runOpenClaw(["gateway", "call", "status", "--json"], { gateway });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ runtimeVersion: "2026.9.6" });
  });
});

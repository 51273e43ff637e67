import { afterEach, describe, expect, it } from "vitest";
import { AuthRateLimiter } from "../src/index.js";
import { connectParams, handshake, startGateway } from "./helpers.js";
import type { TestGateway } from "./helpers.js";

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.server.close({ graceMs: 200 });
  gateway = undefined;
});

describe("AuthRateLimiter", () => {
  it("slows loopback failures down 250, 500, 1000 … 5000 ms and never locks loopback out", () => {
    let now = 1_000_000;
    const limiter = new AuthRateLimiter({ now: () => now });
    const delays = Array.from({ length: 8 }, () => {
      now += 10;
      return limiter.recordFailure("127.0.0.1");
    });
    expect(delays).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
    expect(limiter.check("127.0.0.1")).toEqual({ allowed: true, retryAfterMs: 0 });
    limiter.reset("127.0.0.1");
    expect(limiter.recordFailure("127.0.0.1")).toBe(250);
    // Failures older than the window no longer count.
    now += 61_000;
    expect(limiter.recordFailure("127.0.0.1")).toBe(250);
  });

  it("locks a remote client out for 5 minutes after 10 failures a minute, per scope", () => {
    let now = 0;
    const limiter = new AuthRateLimiter({ now: () => now });
    for (let i = 0; i < 9; i += 1) expect(limiter.recordFailure("203.0.113.9")).toBe(0);
    expect(limiter.check("203.0.113.9").allowed).toBe(true);
    limiter.recordFailure("203.0.113.9");
    expect(limiter.check("203.0.113.9")).toEqual({ allowed: false, retryAfterMs: 300_000 });
    expect(limiter.check("203.0.113.9", "device-token").allowed).toBe(true);
    now += 300_000;
    expect(limiter.check("203.0.113.9").allowed).toBe(true);
  });
});

describe("rate limiting in the gateway authenticator", () => {
  it("answers a loopback wrong token only after the delay, and a success resets it", async () => {
    gateway = await startGateway({ authenticator: { rateLimit: { loopbackDelayBaseMs: 120 } } });
    const timed = async (token: string): Promise<{ ok: unknown; ms: number }> => {
      const started = Date.now();
      const { client, response } = await handshake(gateway!.url, () => connectParams({ auth: { token } }));
      client.close();
      return { ok: response["ok"], ms: Date.now() - started };
    };
    expect((await timed("wrong")).ms).toBeGreaterThanOrEqual(120);
    expect((await timed("wrong")).ms).toBeGreaterThanOrEqual(240);
    expect((await timed("secret-token")).ok).toBe(true);
    const afterReset = await timed("wrong");
    expect(afterReset.ms).toBeGreaterThanOrEqual(120);
  });

  it("locks a remote client out: AUTH_RATE_LIMITED, retryable, with retryAfterMs — even with the right token", async () => {
    gateway = await startGateway({
      server: { trustedProxies: ["127.0.0.1"] },
      authenticator: { rateLimit: { maxAttempts: 2, lockoutMs: 60_000 } },
    });
    const remote = { "X-Forwarded-For": "203.0.113.9" };
    for (let i = 0; i < 2; i += 1) {
      const { response } = await handshake(gateway.url, () => connectParams({ auth: { token: "wrong" } }), remote);
      expect(response["error"]).toMatchObject({ details: { code: "AUTH_TOKEN_MISMATCH" } });
    }
    const { client, response } = await handshake(gateway.url, () => connectParams({ auth: { token: "secret-token" } }), remote);
    const error = response["error"] as Record<string, unknown>;
    expect(error).toMatchObject({
      code: "INVALID_REQUEST",
      message: "unauthorized: too many failed authentication attempts (retry later)",
      retryable: true,
      details: { code: "AUTH_RATE_LIMITED", authReason: "rate_limited", recommendedNextStep: "wait_then_retry" },
    });
    expect(error["retryAfterMs"]).toBeGreaterThan(50_000);
    expect((await client.closed).code).toBe(1008);
    // Another client address is not affected.
    const other = await handshake(gateway.url, () => connectParams({ auth: { token: "secret-token" } }), { "X-Forwarded-For": "203.0.113.10" });
    expect(other.response["ok"]).toBe(true);
    other.client.close();
  });
});

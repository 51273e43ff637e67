import { describe, expect, it } from "vitest";
import { runCli, singleJson } from "./helpers/cli.js";
import { useMockGatewayFixture } from "./helpers/gateway.js";

interface Envelope {
  ok: false;
  error: Record<string, unknown> & { type: string; code: string; message: string };
}

describe("timeouts: one documented maximum, and a deadline that covers secret resolution", () => {
  const fx = useMockGatewayFixture();
  const cli = (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, { env: { ...fx.env, ...extraEnv } });

  it("a --timeout above 2147483647 ms (setTimeout's limit) is a usage error, not an instant timeout", async () => {
    const started = performance.now();
    const tooLarge = await cli(["gateway", "call", "health", ...fx.target(), "--timeout", "2147483648", "--json"]);
    expect(tooLarge.code).toBe(2);
    expect((singleJson(tooLarge.stdout) as Envelope).error).toMatchObject({ type: "usage_error", code: "INVALID_TIMEOUT" });
    expect((singleJson(tooLarge.stdout) as Envelope).error.message).toContain("2147483647");
    expect(tooLarge.stderr).not.toContain("TimeoutOverflowWarning");
    expect(performance.now() - started).toBeLessThan(10_000);
    const largest = await cli(["gateway", "call", "health", ...fx.target(), "--timeout", "2147483647", "--json"]);
    expect(largest.code).toBe(0);
    expect(largest.stderr).toBe("");
    const wait = await cli(["gateway", "pair", ...fx.target(), "--wait", "99999999999"]);
    expect(wait.code).toBe(2);
    expect(wait.stderr).toContain("Invalid --wait");
  });

  it("OPENCLAW_HANDSHAKE_TIMEOUT_MS above the maximum is a usage error naming the variable", async () => {
    const result = await cli(["gateway", "call", "health", ...fx.target()], { OPENCLAW_HANDSHAKE_TIMEOUT_MS: "99999999999" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Invalid OPENCLAW_HANDSHAKE_TIMEOUT_MS");
    expect(result.stderr).not.toContain("TimeoutOverflowWarning");
    expect((await cli(["gateway", "call", "health", ...fx.target()], { OPENCLAW_HANDSHAKE_TIMEOUT_MS: "20000" })).code).toBe(0);
  });

  it("remote add --timeout says the profile's own limit (3600000 ms)", async () => {
    const result = await cli(["remote", "add", "slow", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN", "--timeout", "3000000000"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("The largest millisecond value is 3600000");
  });

  it("--timeout bounds a slow token command: exit 5 after about the budget, request not sent", async () => {
    expect((await cli(["remote", "add", "c4", "--url", fx.gateway.url, "--token-command", "sleep 100"])).code).toBe(0);
    let started = performance.now();
    const test = await cli(["remote", "test", "c4", "--timeout", "1500"]);
    expect(performance.now() - started).toBeLessThan(6_000);
    expect(test.code).toBe(5);
    expect(test.stderr).toMatch(/gateway timeout after 1500ms while resolving the secret: secret command sleep timed out/);
    started = performance.now();
    const call = await cli(["gateway", "call", "health", "--remote", "c4", "--timeout", "1500", "--json"]);
    expect(performance.now() - started).toBeLessThan(6_000);
    expect(call.code).toBe(5);
    expect((singleJson(call.stdout) as Envelope).error).toMatchObject({ type: "gateway_transport_error", kind: "timeout", requestSent: false, timeoutMs: 1500 });
    // A secret command that fails on its own (not cut short by the deadline) stays a credentials error.
    expect((await cli(["remote", "add", "c5", "--url", fx.gateway.url, "--token-command", "false"])).code).toBe(0);
    expect((await cli(["remote", "test", "c5", "--timeout", "5000"])).code).toBe(2);
  });
});

describe("the local target's environment variables", () => {
  const fx = useMockGatewayFixture();
  const call = (extraEnv: Record<string, string>) => runCli(["gateway", "call", "health", "--token-env", "GW2_TOKEN"], { env: { ...fx.env, ...extraEnv } });

  it("a bad OPENCLAW_GATEWAY_PORT is a usage error naming it, not a silent fallback to 18789", async () => {
    const result = await call({ OPENCLAW_GATEWAY_PORT: "abc" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("OPENCLAW_GATEWAY_PORT must be an integer between 1 and 65535");
    const port = new URL(fx.gateway.url).port;
    expect((await call({ OPENCLAW_GATEWAY_PORT: port })).code).toBe(0);
  });

  it("a bad OPENCLAW_GATEWAY_URL is a usage error naming it", async () => {
    const result = await call({ OPENCLAW_GATEWAY_URL: "http://bad" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("OPENCLAW_GATEWAY_URL: gateway url must use ws:// or wss://");
    // --url wins over the variable, as in OpenClaw: a bad value does not get in the way.
    const explicit = await runCli(["gateway", "call", "health", ...fx.target()], { env: { ...fx.env, OPENCLAW_GATEWAY_URL: "http://bad", OPENCLAW_GATEWAY_PORT: "abc" } });
    expect(explicit.code).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { useMockGatewayFixture } from "./helpers/gateway.js";

/**
 * A secret that also occurs in the data (here a short numeric password the health
 * payload contains as a number) must not corrupt `--json` output: the redactor works
 * value by value, so the caller always gets valid JSON with its numbers intact.
 */
describe("--json output with a secret that occurs in the payload", () => {
  const fx = useMockGatewayFixture({ gateway: { auth: { password: "1800" } }, env: { PW: "1800" } });

  it("stays valid JSON and keeps numbers", async () => {
    const call = await runCli(["gateway", "call", "health", "--url", fx.gateway.url, "--password-env", "PW", "--json"], { env: fx.env });
    expect(call.code).toBe(0);
    expect(call.stdout).toMatch(/: 1800\d*,?\n/);
    expect(() => JSON.parse(call.stdout) as unknown).not.toThrow();
  });
});

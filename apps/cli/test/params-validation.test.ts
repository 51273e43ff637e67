import { describe, expect, it } from "vitest";
import { runCli, singleJson } from "./helpers/cli.js";
import { useMockGatewayFixture } from "./helpers/gateway.js";

describe("--params validation of typed methods, before any connection", () => {
  const fx = useMockGatewayFixture({ proxy: true });
  const call = (method: string, params: string, json = true) =>
    runCli(["gateway", "call", method, ...fx.target(fx.proxy.url), "--params", params, ...(json ? ["--json"] : [])], { env: fx.env });

  it("names a missing required field and opens no connection", async () => {
    const result = await call("node.describe", "{}");
    expect(result.code).toBe(2);
    expect(singleJson(result.stdout)).toEqual({
      ok: false,
      error: {
        type: "usage_error",
        code: "INVALID_PARAMS",
        message: "invalid node.describe params: must have required property 'nodeId'",
        details: { method: "node.describe", issues: [{ path: "/nodeId", message: expect.any(String) as unknown }] },
      },
    });
    expect(fx.proxy.tcpConnections()).toBe(0);
  });

  it("names a wrongly typed field and an unexpected one", async () => {
    const typed = await call("logs.tail", '{"limit":"ten"}', false);
    expect(typed.code).toBe(2);
    expect(typed.stderr.split("\n")[0]).toBe("Gateway call failed: invalid logs.tail params: at /limit: must be number");
    expect(typed.stderr).toContain("hint: see the schema with: clawbridge gateway describe logs.tail");
    const extra = await call("node.list", '{"bogus":1}');
    expect(extra.code).toBe(2);
    expect((singleJson(extra.stdout) as { error: { message: string } }).error.message).toBe(
      "invalid node.list params: at root: unexpected property 'bogus'",
    );
    expect(fx.proxy.tcpConnections()).toBe(0);
  });

  it("valid params go through; methods without a schema are not checked locally", async () => {
    const valid = await call("logs.tail", '{"limit":5}');
    expect(valid.code).toBe(0);
    expect(singleJson(valid.stdout)).toMatchObject({ lines: expect.any(Array) as unknown });
    const untyped = await call("cron.list", '{"anything":true}');
    // Not in the mock: the gateway, not the CLI, answers.
    expect(untyped.code).toBe(1);
    expect(fx.proxy.tcpConnections()).toBe(2);
  });
});

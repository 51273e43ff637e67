import { describe, expect, it } from "vitest";
import { cleanEnv, runCli, singleJson } from "./helpers/cli.js";
import { useMockGatewayFixture } from "./helpers/gateway.js";

interface MethodRow {
  method: string;
  scope: string;
  role: string;
  requiredScopes: string[];
  known: boolean;
}

describe("gateway methods and gateway describe", () => {
  const fx = useMockGatewayFixture();

  it("methods lists hello-ok.features.methods with the scope each needs", async () => {
    const json = await runCli(["gateway", "methods", ...fx.target(), "--json"], { env: fx.env });
    expect(json.code).toBe(0);
    const rows = singleJson(json.stdout) as MethodRow[];
    const byName = new Map(rows.map((row) => [row.method, row]));
    expect(byName.get("health")).toMatchObject({ scope: "any", role: "any" });
    expect(byName.get("node.list")).toMatchObject({ scope: "operator.read", requiredScopes: ["operator.read"], known: true });
    expect(byName.get("node.invoke")).toMatchObject({ scope: "dynamic", requiredScopes: ["operator.write"] });
    expect(byName.get("device.pair.approve")).toMatchObject({ scope: "operator.pairing" });
    expect(rows.map((row) => row.method)).toEqual([...rows.map((row) => row.method)].sort());

    const human = await runCli(["gateway", "methods", ...fx.target()], { env: fx.env });
    expect(human.code).toBe(0);
    const lines = human.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^Gateway methods: \d+ on ws:\/\/127\.0\.0\.1:\d+ \(OpenClaw 2026\.9\.6\)$/);
    expect(lines[1]).toMatch(/^METHOD\s+SCOPE$/);
    expect(lines).toContainEqual(expect.stringMatching(/^node\.list\s+operator\.read$/));
  });

  it("describe works offline: scope and params/result JSON Schema of a typed method", async () => {
    const result = await runCli(["gateway", "describe", "node.describe", "--json"], { env: cleanEnv(fx.dir) });
    expect(result.code).toBe(0);
    const description = singleJson(result.stdout) as Record<string, unknown>;
    expect(description).toMatchObject({
      method: "node.describe",
      role: "operator",
      scope: "operator.read",
      requestedScopes: ["operator.read"],
      known: true,
      typed: true,
      params: { type: "object", required: ["nodeId"], properties: { nodeId: { type: "string", minLength: 1 } } },
    });
    expect(description["result"]).toMatchObject({ type: "object" });
  });

  it("describe evaluates params-dependent scopes and reports untyped and unknown methods", async () => {
    const admin = await runCli(["gateway", "describe", "node.invoke", "--params", '{"command":"fs.listDir"}', "--json"], { env: fx.env });
    expect(singleJson(admin.stdout)).toMatchObject({ scope: "dynamic", requiredScopes: ["operator.admin"], requestedScopes: ["operator.admin"] });
    const untyped = await runCli(["gateway", "describe", "cron.add"], { env: fx.env });
    expect(untyped.code).toBe(0);
    expect(untyped.stdout).toContain("Scope: operator.admin");
    expect(untyped.stdout).toContain("No typed params schema");
    const unknown = await runCli(["gateway", "describe", "plugin.thing", "--json"], { env: fx.env });
    expect(unknown.code).toBe(0);
    expect(singleJson(unknown.stdout)).toMatchObject({ known: false, scope: "unclassified", requiredScopes: ["operator.admin"], typed: false, params: null });
  });
});

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runningCli, singleJson, useConfigDir } from "./helpers/cli.js";
import { GW_TOKEN } from "./helpers/gateway.js";

describe("clawbridge mock-gateway", () => {
  const fx = useConfigDir({ env: { GW2_TOKEN: GW_TOKEN } });

  it("prints its URL as the one stdout line, serves calls with attached nodes, and stops on SIGTERM (exit 0)", async () => {
    const server = runningCli(["mock-gateway", "--port", "0", "--token-env", "GW2_TOKEN", "--node", "WN2", "--node", "WN3"], { env: fx.env });
    const url = await server.waitForLine((line) => line.startsWith("ws://"));
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const nodes = await runCli(["gateway", "call", "node.list", "--url", url, "--token-env", "GW2_TOKEN", "--json"], { env: fx.env });
    expect(nodes.code).toBe(0);
    const list = singleJson(nodes.stdout) as { nodes: { displayName: string; connected: boolean; commands: string[] }[] };
    expect(list.nodes.map((node) => node.displayName).sort()).toEqual(["WN2", "WN3"]);
    expect(list.nodes.every((node) => node.connected && node.commands.includes("system.run"))).toBe(true);

    server.child.kill("SIGTERM");
    const result = await server.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${url}\n`);
    expect(result.stderr).toContain("mock gateway listening on");
    expect(result.stderr).toContain("mock gateway stopped");
    expect(result.stderr).not.toContain(GW_TOKEN);
  });

  it("serves a password gateway from --password-file and stops on SIGINT too", async () => {
    const file = join(fx.dir, "mock-password");
    await writeFile(file, "mock-password-77\n", { mode: 0o600 });
    const server = runningCli(["mock-gateway", "--password-file", file], { env: fx.env });
    const url = await server.waitForLine((line) => line.startsWith("ws://"));
    const call = await runCli(["gateway", "call", "health", "--url", url, "--password-file", file, "--json"], { env: fx.env });
    expect(call.code).toBe(0);
    server.child.kill("SIGINT");
    expect((await server.exited).code).toBe(0);
  });

  it("refuses to start without a secret (exit 2)", async () => {
    const result = await runCli(["mock-gateway"], { env: fx.env });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("Mock gateway failed: the mock gateway needs a shared secret");
  });
});

import { describe, expect, it } from "vitest";
import { runCli, runningCli, singleJson } from "./helpers/cli.js";
import { GW_TOKEN, useMockGatewayFixture } from "./helpers/gateway.js";

/**
 * The one place tests put a secret on argv: to check that doing so still works where
 * OpenClaw accepts it (with a warning naming the safer options), is refused where a
 * secret would be stored, and is never echoed.
 */
describe("secrets on argv", () => {
  // No GW2_TOKEN in the environment: here the secret reaches the CLI on argv only.
  const fx = useMockGatewayFixture({ env: {} });

  it("work with a one-line warning (gateway call, mock-gateway), are refused by remote add, and are never echoed", async () => {
    const call = await runCli(["gateway", "call", "health", "--url", fx.gateway.url, "--token", GW_TOKEN, "--json"], { env: fx.env });
    expect(call.code).toBe(0);
    expect(singleJson(call.stdout)).toMatchObject({ ok: true });
    const lines = call.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning: --token on the command line/);
    for (const safer of ["--token-env", "--token-file", "--token -", "--remote"]) expect(lines[0]).toContain(safer);

    const add = await runCli(["remote", "add", "leaky", "--url", fx.gateway.url, "--token", GW_TOKEN], { env: fx.env });
    expect(add.code).toBe(2);
    expect(add.stderr).toContain("remote profiles never hold secrets");

    const mock = runningCli(["mock-gateway", "--token", GW_TOKEN], { env: fx.env });
    const url = await mock.waitForLine((line) => line.startsWith("ws://"));
    await mock.waitForStderr("warning: --token on the command line");
    const viaMock = await runCli(["gateway", "call", "health", "--url", url, "--token-env", "T", "--json"], { env: { ...fx.env, T: GW_TOKEN } });
    expect(viaMock.code).toBe(0);
    mock.child.kill("SIGTERM");
    const stopped = await mock.exited;
    expect(stopped.code).toBe(0);

    for (const output of [call.stdout, call.stderr, add.stdout, add.stderr, stopped.stdout, stopped.stderr]) expect(output).not.toContain(GW_TOKEN);
  });
});

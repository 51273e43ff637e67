import { describe, expect, it } from "vitest";
import { runCli, runningCli } from "./helpers/cli.js";
import { useMockGatewayFixture } from "./helpers/gateway.js";

describe("messages that say what to do next", () => {
  const fx = useMockGatewayFixture();
  const cli = (args: string[]) => runCli(args, { env: fx.env });

  it("--scopes beyond a remote's ceiling blames --scopes, not the method; an unknown method points at gateway methods", async () => {
    expect((await cli(["remote", "add", "ro", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN", "--scopes", "operator.read"])).code).toBe(0);
    const scopes = await cli(["gateway", "call", "health", "--remote", "ro", "--scopes", "operator.admin"]);
    expect(scopes.code).toBe(2);
    expect(scopes.stderr).toContain("Gateway call failed: --scopes operator.admin exceeds remote ro's scope ceiling [operator.read]");
    expect(scopes.stderr).not.toContain("method health needs");
    const unknownRemote = await cli(["gateway", "call", "nope.x", "--remote", "ro"]);
    expect(unknownRemote.code).toBe(2);
    expect(unknownRemote.stderr).toContain("nope.x is not a known method");
    expect(unknownRemote.stderr).toContain("hint: check the method name; list the methods this gateway offers with: clawbridge gateway methods");
    const unknown = await cli(["gateway", "call", "nope.x", ...fx.target()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("hint: list the methods this gateway offers: clawbridge gateway methods");
  });

  it("gateway pair without --remote/--url says how to pair a remote", async () => {
    const result = await cli(["gateway", "pair"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("gateway pair without --remote or --url pairs with the local gateway");
    expect(result.stderr).toContain("pass --remote <id>");
  });

  it("gateway watch --help describes its own --json and --timeout; --events '' is a usage error", async () => {
    const help = await cli(["gateway", "watch", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).not.toContain("exactly one JSON document");
    expect(help.stdout).not.toContain("connect + handshake + request");
    expect(help.stdout).toMatch(/--json\s+report a failure as one compact JSON envelope line/);
    const events = await cli(["gateway", "watch", ...fx.target(), "--events", ""]);
    expect(events.code).toBe(2);
    expect(events.stderr).toContain("--events needs at least one event name");
    expect((await cli(["gateway", "watch", ...fx.target(), "--events", " , "])).code).toBe(2);
  });

  it("gateway call --help points at gateway methods instead of a fixed method list", async () => {
    const help = await cli(["gateway", "call", "--help"]);
    expect(help.stdout).toContain("clawbridge gateway methods");
    expect(help.stdout).not.toContain("health/status/system-presence/node.list/cron.*");
    expect(help.stdout).toContain("130, 143");
  });

  it("mock-gateway --host 0.0.0.0 prints a URL one can connect to", async () => {
    const server = runningCli(["mock-gateway", "--host", "0.0.0.0", "--token-env", "GW2_TOKEN"], { env: fx.env });
    const url = await server.waitForLine((line) => line.startsWith("ws://"));
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(server.stderr()).toContain("all interfaces (ws://0.0.0.0:");
    expect((await cli(["gateway", "call", "health", ...fx.target(url)])).code).toBe(0);
    server.child.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
  });
});

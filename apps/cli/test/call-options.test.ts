import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { MockGateway } from "@clawbridge/mock-gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, singleJson } from "./helpers/cli.js";
import { GW_TOKEN, startGateway, useMockGatewayFixture } from "./helpers/gateway.js";

const PASSWORD = "gw-password-93ab1c";

/** Heading line + the payload JSON of human output. */
function humanPayload(stdout: string, method: string): unknown {
  const [heading, ...rest] = stdout.split("\n");
  expect(heading).toBe(`Gateway call: ${method}`);
  return JSON.parse(rest.join("\n")) as unknown;
}

describe("gateway call options", () => {
  const fx = useMockGatewayFixture({ env: { GW2_TOKEN: GW_TOKEN, GW2_PASSWORD: PASSWORD }, proxy: true });
  let passwordGateway: MockGateway;
  const call = (args: string[], options: { stdin?: string; extraEnv?: Record<string, string>; cwd?: string } = {}) =>
    runCli(["gateway", "call", ...args], { env: { ...fx.env, ...options.extraEnv }, stdin: options.stdin, cwd: options.cwd });

  beforeAll(async () => {
    // An unclassified method: the CLI requests OpenClaw's full unclassified scope set,
    // which the local CLI keeps, so the echo answers with exactly what was sent.
    fx.gateway.server.router.register("test.echo", ({ frame }) => frame.params ?? null);
    passwordGateway = await startGateway({ auth: { password: PASSWORD } });
  });
  afterAll(async () => {
    await passwordGateway.stop({ graceMs: 100 });
  });

  it("prints the 'Gateway call: <method>' heading and 2-space JSON, plain when piped", async () => {
    const result = await call(["health", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN"]);
    expect(result.code).toBe(0);
    expect(humanPayload(result.stdout, "health")).toMatchObject({ ok: true });
    expect(result.stdout).toContain('\n  "ok": true');
    expect(result.stdout).not.toContain("\u001b[");
    expect(result.stderr).toBe("");
  });

  it("--token-file reads a 0600 file and refuses a group-readable one", async () => {
    const file = join(fx.dir, "token");
    await writeFile(file, `${GW_TOKEN}\n`, { mode: 0o600 });
    const ok = await call(["health", "--url", fx.gateway.url, "--token-file", file, "--json"]);
    expect(ok.code).toBe(0);
    await chmod(file, 0o644);
    const refused = await call(["health", "--url", fx.gateway.url, "--token-file", file, "--json"]);
    expect(refused.code).toBe(2);
    expect(singleJson(refused.stdout)).toMatchObject({ ok: false, error: { type: "gateway_credentials_required", code: "SECRET_UNAVAILABLE" } });
    await chmod(file, 0o600);
  });

  it("--token - reads the token from stdin (a trailing newline is dropped)", async () => {
    const result = await call(["health", "--url", fx.gateway.url, "--token", "-", "--json"], { stdin: `${GW_TOKEN}\n` });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
  });

  it("--password - / --password-env / --password-file authenticate against a password gateway", async () => {
    const stdin = await call(["health", "--url", passwordGateway.url, "--password", "-", "--json"], { stdin: PASSWORD });
    expect(stdin.code).toBe(0);
    const fromEnv = await call(["health", "--url", passwordGateway.url, "--password-env", "GW2_PASSWORD", "--json"]);
    expect(fromEnv.code).toBe(0);
    const file = join(fx.dir, "password");
    await writeFile(file, PASSWORD, { mode: 0o600 });
    const fromFile = await call(["health", "--url", passwordGateway.url, "--password-file", file, "--json"]);
    expect(fromFile.code).toBe(0);
  });

  it("--params passes any JSON value through; @file and - read it from a file or stdin", async () => {
    const inline = await call(["test.echo", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN", "--params", '[1,"two",null,{"x":true}]', "--json"]);
    expect(inline.code).toBe(0);
    expect(singleJson(inline.stdout)).toEqual([1, "two", null, { x: true }]);

    await writeFile(join(fx.dir, "params.json"), '{"from":"file","n":3}');
    const fromFile = await call(["test.echo", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN", "--params", "@params.json", "--json"], { cwd: fx.dir });
    expect(fromFile.code).toBe(0);
    expect(singleJson(fromFile.stdout)).toEqual({ from: "file", n: 3 });

    const fromStdin = await call(["test.echo", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN", "--params", "-", "--json"], { stdin: '"a string"' });
    expect(fromStdin.code).toBe(0);
    expect(singleJson(fromStdin.stdout)).toBe("a string");

    const defaulted = await call(["test.echo", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN", "--json"]);
    expect(singleJson(defaulted.stdout)).toEqual({});
  });

  it("--params with invalid JSON or an unreadable @file is a usage error", async () => {
    const bad = await call(["test.echo", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN", "--params", "{nope", "--json"]);
    expect(bad.code).toBe(2);
    expect(singleJson(bad.stdout)).toMatchObject({ error: { type: "usage_error", code: "INVALID_PARAMS", message: "--params must be valid JSON." } });
    const missing = await call(["test.echo", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN", "--params", "@/nonexistent/p.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read /nonexistent/p.json (ENOENT)");
  });

  it("only one option may read stdin: a clear usage error, nothing sent", async () => {
    const before = fx.proxy.tcpConnections();
    const result = await call(["health", "--url", fx.proxy.url, "--token", "-", "--params", "-", "--json"], { stdin: GW_TOKEN });
    expect(result.code).toBe(2);
    const envelope = singleJson(result.stdout) as { error: { code: string; message: string } };
    expect(envelope.error.code).toBe("STDIN_CONFLICT");
    expect(envelope.error.message).toContain("--token - and --params -");
    expect(fx.proxy.tcpConnections()).toBe(before);
    const both = await call(["health", "--url", fx.proxy.url, "--token", "-", "--password", "-"], { stdin: GW_TOKEN });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--token - and --password -");
  });

  it("--port targets the loopback gateway and may use the local ambient token", async () => {
    const result = await call(["health", "--port", String(fx.gateway.port), "--json"], { extraEnv: { OPENCLAW_GATEWAY_TOKEN: GW_TOKEN } });
    expect(result.code).toBe(0);
  });

  it("--port validation and conflicts use OpenClaw's messages", async () => {
    const range = await call(["health", "--port", "70000"]);
    expect(range.code).toBe(2);
    expect(range.stderr).toContain("--port must be an integer between 1 and 65535.");
    const both = await call(["health", "--port", "1234", "--url", fx.gateway.url, "--json"]);
    expect(both.code).toBe(2);
    expect(singleJson(both.stdout)).toMatchObject({ error: { type: "usage_error", message: "Use either --url or --port, not both." } });
  });

  it("--timeout must be a positive integer of ms (OpenClaw's message)", async () => {
    const result = await call(["health", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN", "--timeout", "10s"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Invalid --timeout. Use a positive millisecond value, e.g. --timeout 30000. Received: "10s".');
  });

  it("--expect-url fails before connecting when the resolved URL differs, and passes when equal", async () => {
    const before = fx.proxy.tcpConnections();
    const mismatch = await call(["health", "--url", fx.proxy.url, "--token-env", "GW2_TOKEN", "--expect-url", "ws://127.0.0.1:1", "--json"]);
    expect(mismatch.code).toBe(2);
    expect(singleJson(mismatch.stdout)).toMatchObject({
      error: { code: "EXPECT_URL_MISMATCH", message: "Gateway destination changed. Refresh the selected Gateway before retrying." },
    });
    expect(fx.proxy.tcpConnections()).toBe(before);
    const match = await call(["health", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN", "--expect-url", fx.gateway.url, "--json"]);
    expect(match.code).toBe(0);
  });

  it("requests least-privilege scopes by default and --scopes overrides them", async () => {
    const count = fx.proxy.connectParams().length;
    expect((await call(["health", "--url", fx.proxy.url, "--token-env", "GW2_TOKEN", "--json"])).code).toBe(0);
    expect((await call(["node.list", "--url", fx.proxy.url, "--token-env", "GW2_TOKEN", "--json"])).code).toBe(0);
    const scoped = await call(["health", "--url", fx.proxy.url, "--token-env", "GW2_TOKEN", "--scopes", "operator.read,operator.write", "--json"]);
    expect(scoped.code).toBe(0);
    const connects = fx.proxy.connectParams().slice(count);
    expect(connects.map((params) => params["scopes"])).toEqual([["operator.read"], ["operator.read"], ["operator.read", "operator.write"]]);
    expect(connects[0]).toMatchObject({ role: "operator", client: { id: "cli", mode: "cli" }, minProtocol: 4, maxProtocol: 4 });
    const bad = await call(["health", "--url", fx.proxy.url, "--token-env", "GW2_TOKEN", "--scopes", "admin"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not an operator scope");
  });

  it("--remote uses the profile's URL and secret source", async () => {
    const add = await runCli(["remote", "add", "gw2", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN"], { env: fx.env });
    expect(add.code).toBe(0);
    const result = await call(["node.list", "--remote", "gw2", "--json"]);
    expect(result.code).toBe(0);
    expect(singleJson(result.stdout)).toMatchObject({ nodes: [] });
    const conflict = await call(["health", "--remote", "gw2", "--url", fx.gateway.url]);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain("Use either --url or --remote, not both.");
  });

  it("--remote sends the profile's --header values on the upgrade and never prints them; literal values are refused", async () => {
    const edge = "edge-secret-4c1d7e";
    const seen: Record<string, unknown>[] = [];
    const off = fx.gateway.server.onConnection((connection) => seen.push({ ...connection.socket.headers }));
    try {
      const add = await runCli(["remote", "add", "edge", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN", "--header", "X-Edge-Auth=env:EDGE_SECRET"], { env: fx.env });
      expect(add.code).toBe(0);
      const show = await runCli(["remote", "show", "edge", "--json"], { env: fx.env });
      expect(singleJson(show.stdout)).toMatchObject({ headers: ["X-Edge-Auth=env:EDGE_SECRET"] });
      const result = await call(["health", "--remote", "edge", "--json"], { extraEnv: { EDGE_SECRET: edge } });
      expect(result.code).toBe(0);
      expect(seen.at(-1)?.["x-edge-auth"]).toBe(edge);
      const literal = await runCli(["remote", "add", "leaky", "--url", fx.gateway.url, "--header", `X-Edge-Auth=${edge}`], { env: fx.env });
      expect(literal.code).toBe(2);
      expect(literal.stderr).toContain('--header "X-Edge-Auth": expected Name=env:VAR');
      const handshake = await runCli(["remote", "add", "bad", "--url", fx.gateway.url, "--header", "Sec-WebSocket-Key=env:K"], { env: fx.env });
      expect(handshake.code).toBe(2);
      expect(handshake.stderr).toContain("set by the WebSocket handshake itself");
      for (const output of [add.stdout, add.stderr, show.stdout, result.stdout, result.stderr, literal.stdout, literal.stderr]) expect(output).not.toContain(edge);
    } finally {
      off();
    }
  });

  it("OPENCLAW_SHELL=exec refuses message-injecting methods before connecting, like OpenClaw", async () => {
    const result = await call(["agent", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN", "--params", '{"message":"hi","idempotencyKey":"k1"}', "--json"], {
      extraEnv: { OPENCLAW_SHELL: "exec" },
    });
    expect(result.code).toBe(2);
    expect(singleJson(result.stdout)).toMatchObject({ error: { code: "AGENT_EXEC_REFUSED" } });
  });
});

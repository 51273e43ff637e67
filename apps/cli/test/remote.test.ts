import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, singleJson } from "./helpers/cli.js";
import { GW_TOKEN, unusedPort, useMockGatewayFixture } from "./helpers/gateway.js";

describe("remote add | list | show | remove | test", () => {
  const fx = useMockGatewayFixture();
  let tokenFile: string;
  const remote = (args: string[]) => runCli(["remote", ...args], { env: fx.env });

  beforeAll(async () => {
    tokenFile = join(fx.dir, "gw3.token");
    await writeFile(tokenFile, GW_TOKEN, { mode: 0o600 });
  });

  it("adds profiles with env, file and command secret sources (remotes.json is 0600)", async () => {
    const a = await remote(["add", "gw2", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN", "--description", "cluster 2", "--scopes", "operator.read,operator.write"]);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain("Added remote gw2");
    expect((await remote(["add", "gw3", "--url", fx.gateway.url, "--token-file", tokenFile])).code).toBe(0);
    const c = await remote(["add", "vault", "--url", "wss://gw4.example:18789", "--token-command", "op read op://vault/gw4/token", "--json"]);
    expect(c.code).toBe(0);
    expect(singleJson(c.stdout)).toMatchObject({ id: "vault", token: "command:op" });
    expect((await stat(join(fx.dir, "remotes.json"))).mode & 0o777).toBe(0o600);
  });

  it("refuses a duplicate id (a literal --token is refused too: see argv-secrets.test.ts)", async () => {
    const duplicate = await remote(["add", "gw2", "--url", fx.gateway.url, "--json"]);
    expect(duplicate.code).toBe(2);
    expect(singleJson(duplicate.stdout)).toMatchObject({ error: { type: "usage_error", code: "REMOTE_EXISTS" } });
  });

  it("list and show print secret sources, never secrets", async () => {
    const list = await remote(["list"]);
    expect(list.code).toBe(0);
    const [header, ...rows] = list.stdout.trim().split("\n");
    expect(header).toMatch(/^ID\s+URL\s+SECRET\s+SCOPE CEILING\s+DESCRIPTION$/);
    expect(rows).toHaveLength(3);
    expect(list.stdout).toContain("env:GW2_TOKEN");
    expect(list.stdout).toContain(`file:${tokenFile}`);
    expect(list.stdout).toContain("command:op");
    const json = await remote(["list", "--json"]);
    expect((singleJson(json.stdout) as unknown[]).length).toBe(3);
    const show = await remote(["show", "gw2", "--json"]);
    expect(singleJson(show.stdout)).toMatchObject({ id: "gw2", url: fx.gateway.url, token: "env:GW2_TOKEN", scopes: ["operator.read", "operator.write"], description: "cluster 2" });
    const human = await remote(["show", "gw3"]);
    expect(human.stdout).toMatch(/token:\s+file:/);
    for (const output of [list.stdout, list.stderr, json.stdout, show.stdout, human.stdout]) {
      expect(output).not.toContain(GW_TOKEN);
      expect(output).not.toContain("op://vault");
    }
  });

  it("test connects and prints role, scopes, server version and round-trip time", async () => {
    const human = await remote(["test", "gw2"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("role:     operator");
    expect(human.stdout).toContain("scopes:   operator.read");
    expect(human.stdout).toContain("server:   OpenClaw 2026.9.6");
    expect(human.stdout).toMatch(/rtt:\s+[\d.]+ ms \(health\)/);
    const json = await remote(["test", "gw3", "--json"]);
    expect(json.code).toBe(0);
    expect(singleJson(json.stdout)).toMatchObject({
      ok: true,
      remote: "gw3",
      role: "operator",
      scopes: ["operator.read"],
      server: { version: "2026.9.6" },
      connectMs: expect.any(Number) as unknown,
      rttMs: expect.any(Number) as unknown,
    });
  });

  it("test of an unreachable remote maps to exit 3; unknown remotes to exit 2", async () => {
    const port = await unusedPort();
    expect((await remote(["add", "down", "--url", `ws://127.0.0.1:${port}`, "--token-env", "GW2_TOKEN"])).code).toBe(0);
    const down = await remote(["test", "down", "--json"]);
    expect(down.code).toBe(3);
    expect(singleJson(down.stdout)).toMatchObject({ error: { kind: "connect", code: "ECONNREFUSED" }, gateway: { urlSource: "remote profile" } });
    const unknown = await remote(["test", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown remote "nope"');
  });

  it("remove deletes a profile; removing it again is a usage error", async () => {
    const removed = await remote(["remove", "vault", "--json"]);
    expect(removed.code).toBe(0);
    expect(singleJson(removed.stdout)).toEqual({ ok: true, removed: "vault" });
    const again = await remote(["remove", "vault"]);
    expect(again.code).toBe(2);
    const list = await remote(["list", "--json"]);
    expect((singleJson(list.stdout) as { id: string }[]).map((entry) => entry.id)).toEqual(["down", "gw2", "gw3"]);
  });
});

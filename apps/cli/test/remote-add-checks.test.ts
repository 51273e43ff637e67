import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { GW_TOKEN, useMockGatewayFixture } from "./helpers/gateway.js";

describe("remote add checks what it stores", () => {
  const fx = useMockGatewayFixture();
  const cli = (args: string[], cwd?: string) => runCli(args, { env: fx.env, cwd });
  const stored = async (id: string) =>
    (JSON.parse(await readFile(join(fx.dir, "remotes.json"), "utf8")) as { remotes: Record<string, { auth?: Record<string, string>; caFile?: string }> }).remotes[id];

  it("stores --token-file relative to the current directory (and ~/ expanded) as an absolute path, as gateway call reads it", async () => {
    const work = join(fx.dir, "work");
    await mkdir(work, { recursive: true });
    await writeFile(join(work, "rel.token"), GW_TOKEN, { mode: 0o600 });
    const add = await cli(["remote", "add", "relf", "--url", fx.gateway.url, "--token-file", "rel.token"], work);
    expect(add.code).toBe(0);
    expect(add.stderr).not.toContain("warning");
    expect((await stored("relf"))?.auth?.["tokenFile"]).toBe(join(work, "rel.token"));
    // Later, from anywhere: the file is found (it used to resolve against the config dir: ENOENT).
    expect((await cli(["remote", "test", "relf"])).code).toBe(0);

    await writeFile(join(fx.dir, "home.token"), GW_TOKEN, { mode: 0o600 });
    const tilde = await cli(["remote", "add", "tilde", "--url", fx.gateway.url, "--token-file=~/home.token"], work);
    expect(tilde.code).toBe(0);
    expect((await stored("tilde"))?.auth?.["tokenFile"]).toBe(join(fx.dir, "home.token"));
    expect((await cli(["remote", "test", "tilde"])).code).toBe(0);

    const ca = await cli(["remote", "add", "ca", "--url", "wss://gw2.example:18789", "--token-env", "GW2_TOKEN", "--ca-file", "ca.pem", "--password-file", "pw"], work);
    expect(ca.code).toBe(0);
    expect((await stored("ca"))?.caFile).toBe(join(work, "ca.pem"));
    expect((await stored("ca"))?.auth?.["passwordFile"]).toBe(join(work, "pw"));
  });

  it("warns, without failing, when a secret file is missing or readable by others", async () => {
    const missing = await cli(["remote", "add", "missing", "--url", fx.gateway.url, "--token-file", join(fx.dir, "nope.token")]);
    expect(missing.code).toBe(0);
    expect(missing.stderr).toContain(`warning: --token-file ${join(fx.dir, "nope.token")} cannot be read (ENOENT)`);
    await writeFile(join(fx.dir, "open.token"), GW_TOKEN, { mode: 0o644 });
    const open = await cli(["remote", "add", "open", "--url", fx.gateway.url, "--token-file", join(fx.dir, "open.token"), "--json"]);
    expect(open.code).toBe(0);
    expect(open.stderr).toContain("is accessible by group or others (mode 0644); calls refuse it until: chmod 600");
    expect(JSON.parse(open.stdout)).toMatchObject({ id: "open" });
  });

  it("hand-written remotes.json keeps config-dir-relative secret files", async () => {
    await writeFile(join(fx.dir, "hand.token"), GW_TOKEN, { mode: 0o600 });
    const file = join(fx.dir, "remotes.json");
    const document = JSON.parse(await readFile(file, "utf8")) as { remotes: Record<string, unknown> };
    document.remotes["hand"] = { url: fx.gateway.url, auth: { tokenFile: "hand.token" } };
    await writeFile(file, JSON.stringify(document), { mode: 0o600 });
    expect((await cli(["remote", "test", "hand"])).code).toBe(0);
  });

  it("refuses plaintext ws:// to a public host at add time (exit 2) unless --allow-insecure-plaintext", async () => {
    const refused = await cli(["remote", "add", "pub", "--url", "ws://8.8.8.8:1", "--token-env", "X"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("plaintext ws://");
    expect(refused.stderr).toContain("--allow-insecure-plaintext");
    expect((await cli(["remote", "show", "pub"])).code).toBe(2);
    expect((await cli(["remote", "add", "pub", "--url", "ws://8.8.8.8:1", "--token-env", "X", "--allow-insecure-plaintext"])).code).toBe(0);
    expect((await cli(["remote", "add", "lan", "--url", "ws://10.0.0.5:1", "--token-env", "X"])).code).toBe(0);
    const headers = await cli(["remote", "add", "edge", "--url", "ws://10.0.0.5:1", "--token-env", "X", "--header", "CF-Access-Client-Secret=env:CF"]);
    expect(headers.code).toBe(2);
    expect(headers.stderr).toMatch(/^Remote add failed: .*edge headers are sent only over wss:\/\//m);
  });

  it("a duplicate id names --replace; an auth failure in remote test points at the profile", async () => {
    expect((await cli(["remote", "add", "dup", "--url", fx.gateway.url, "--token-env", "WRONG_TOKEN"])).code).toBe(0);
    const duplicate = await cli(["remote", "add", "dup", "--url", fx.gateway.url, "--token-env", "GW2_TOKEN"]);
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain("remote dup already exists; pass --replace to overwrite it");
    const rejected = await runCli(["remote", "test", "dup"], { env: { ...fx.env, WRONG_TOKEN: "not-the-token" } });
    expect(rejected.code).toBe(4);
    expect(rejected.stderr).toContain("hint: check where remote dup's token comes from (clawbridge remote show dup)");
    expect(rejected.stderr).toContain("--replace");
    expect(rejected.stderr).not.toContain("--token -");
  });
});

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { useMockGatewayFixture } from "./helpers/gateway.js";

// Issue #5: the `gateway call` path loads nothing it does not need. Node built-ins that
// only other paths use are loaded on first use by the bundle (tools/bundle-bin.mjs,
// LAZY_BUILTINS); this runs the built bin with a preload that records which built-ins the
// process loaded, and then the paths that do use them.
const fx = useMockGatewayFixture();

function builtinsLoadedBy(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; modules: string[] }> {
  const preload = join(fx.dir, "record-modules.cjs");
  const out = join(fx.dir, `modules-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(preload, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join("\\n")));\n`);
  return runCli(args, { env: { ...fx.env, ...extraEnv, NODE_OPTIONS: `--require ${preload}` } }).then((result) => ({
    code: result.code,
    stderr: result.stderr,
    modules: readFileSync(out, "utf8").split("\n"),
  }));
}

describe("built-ins loaded by the bin", () => {
  it("gateway call with --url and a token from the environment loads neither child_process nor fs/promises", async () => {
    const run = await builtinsLoadedBy(["gateway", "call", "health", ...fx.target(), "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.modules).toContain("NativeModule net"); // the recording works
    expect(run.modules).not.toContain("NativeModule child_process");
    expect(run.modules).not.toContain("NativeModule fs/promises");
  });

  it("they load, and work, where a command uses them: a token file (fs/promises) and a token command (child_process)", async () => {
    const tokenFile = join(fx.dir, "gw2.token");
    writeFileSync(tokenFile, `${fx.env.GW2_TOKEN}\n`, { mode: 0o600 });
    const fromFile = await builtinsLoadedBy(["gateway", "call", "health", "--url", fx.gateway.url, "--token-file", tokenFile, "--json"]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.modules).toContain("NativeModule fs/promises");

    const printToken = join(fx.dir, "print-token.cjs");
    writeFileSync(printToken, "process.stdout.write(process.env.GW2_TOKEN);\n");
    const add = await runCli(["remote", "add", "gw2cmd", "--url", fx.gateway.url, "--token-command", `${process.execPath} ${printToken}`], { env: fx.env });
    expect(add.code, add.stderr).toBe(0);
    const fromCommand = await builtinsLoadedBy(["gateway", "call", "health", "--remote", "gw2cmd", "--json"]);
    expect(fromCommand.code, fromCommand.stderr).toBe(0);
    expect(fromCommand.modules).toContain("NativeModule child_process");
  });
});

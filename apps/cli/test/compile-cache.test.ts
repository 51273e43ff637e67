import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, runCli, useConfigDir } from "./helpers/cli.js";

// The bin runs the bundled program with a V8 code cache (tools/compile-cache-launcher.cjs).
// What a user can rely on: the cache is private, reused, self-healing, optional, and never
// changes what the CLI does.
const ARGS = ["gateway", "describe", "health", "--json"];

const home = useConfigDir({ prefix: "clawbridge-cache-" });

function cacheFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith(".v8cache"));
  } catch {
    return [];
  }
}

describe("the bin's compile cache", () => {
  let dir: string;
  let uncached: string;

  it("first run: writes one cache file for the command, private to the user (0700 dir, 0600 file)", async () => {
    dir = join(home.dir, "cache-a");
    const result = await runCli(ARGS, { env: cleanEnv(home.dir, { CLAWBRIDGE_CACHE_DIR: dir }) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    uncached = result.stdout;
    const files = cacheFiles(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^clawbridge-[0-9a-f]{16}-${process.version.replace(/\./g, "\\.")}-${process.arch}-gateway\\.v8cache$`));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, files[0]!)).size).toBeGreaterThan(10_000);
  });

  it("later runs use it (not rewritten) and print exactly what the uncached run printed", async () => {
    const file = join(dir, cacheFiles(dir)[0]!);
    const before = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    const result = await runCli(ARGS, { env: cleanEnv(home.dir, { CLAWBRIDGE_CACHE_DIR: dir }) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(uncached);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("another command gets its own cache file", async () => {
    const result = await runCli(["remote", "list", "--json"], { env: cleanEnv(home.dir, { CLAWBRIDGE_CACHE_DIR: dir }) });
    expect(result.code, result.stderr).toBe(0);
    expect(cacheFiles(dir).map((name) => name.replace(/^.*-/, "")).sort()).toEqual(["gateway.v8cache", "remote.v8cache"]);
  });

  it("a corrupt cache is rejected by V8, the run is unaffected, and the file is rewritten", async () => {
    const file = join(dir, cacheFiles(dir).find((name) => name.endsWith("-gateway.v8cache"))!);
    const garbage = Buffer.alloc(4096, 0x5a);
    writeFileSync(file, garbage);
    const result = await runCli(ARGS, { env: cleanEnv(home.dir, { CLAWBRIDGE_CACHE_DIR: dir }) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(uncached);
    const rewritten = readFileSync(file);
    expect(rewritten.equals(garbage)).toBe(false);
    expect(rewritten.length).toBeGreaterThan(10_000);
  });

  it("caches of other builds are removed when a cache is written", async () => {
    const other = join(home.dir, "cache-b");
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, `clawbridge-0123456789abcdef-${process.version}-${process.arch}-gateway.v8cache`), "old build");
    writeFileSync(join(other, "unrelated.v8cache"), "not ours");
    const result = await runCli(ARGS, { env: cleanEnv(home.dir, { CLAWBRIDGE_CACHE_DIR: other }) });
    expect(result.code, result.stderr).toBe(0);
    const files = cacheFiles(other);
    expect(files).toContain("unrelated.v8cache");
    expect(files.filter((name) => name.startsWith("clawbridge-"))).toHaveLength(1);
    expect(files.some((name) => name.startsWith("clawbridge-0123456789abcdef-"))).toBe(false);
  });

  it("defaults to $XDG_CACHE_HOME/clawbridge, then ~/.cache/clawbridge", async () => {
    const xdg = join(home.dir, "xdg");
    expect((await runCli(ARGS, { env: cleanEnv(home.dir, { XDG_CACHE_HOME: xdg }) })).code).toBe(0);
    expect(cacheFiles(join(xdg, "clawbridge"))).toHaveLength(1);
    expect((await runCli(ARGS, { env: cleanEnv(home.dir) })).code).toBe(0);
    expect(cacheFiles(join(home.dir, ".cache", "clawbridge"))).toHaveLength(1);
  });

  it("NODE_DISABLE_COMPILE_CACHE turns it off", async () => {
    const off = join(home.dir, "cache-off");
    const result = await runCli(ARGS, { env: cleanEnv(home.dir, { CLAWBRIDGE_CACHE_DIR: off, NODE_DISABLE_COMPILE_CACHE: "1" }) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(uncached);
    expect(cacheFiles(off)).toEqual([]);
  });

  it("an unusable cache dir costs nothing but speed: same output, nothing on stderr", async () => {
    const notADir = join(home.dir, "a-file");
    writeFileSync(notADir, "x");
    const result = await runCli(ARGS, { env: cleanEnv(home.dir, { CLAWBRIDGE_CACHE_DIR: notADir }) });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(uncached);
  });
});

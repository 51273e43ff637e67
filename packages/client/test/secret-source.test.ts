import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { quote } from "shell-quote";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeSecretSource, parseCommandLine, resolveSecret, SecretSourceError } from "../src/index.js";
import { tempConfigDir } from "./helpers/temp-config.js";

const posix = process.platform !== "win32";
const SECRET = "s3cr3t-VALUE-from-source";

describe("secret sources", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempConfigDir());
  });
  afterEach(async () => cleanup());

  it("reads an env var, and names (never shows) a missing one", async () => {
    expect(await resolveSecret({ kind: "env", name: "GW2_TOKEN" }, { env: { GW2_TOKEN: SECRET } })).toBe(SECRET);
    await expect(resolveSecret({ kind: "env", name: "GW2_TOKEN" }, { env: {} })).rejects.toThrow(
      /environment variable GW2_TOKEN is not set/,
    );
  });

  it("reads a 0600 file and trims the trailing newline only", async () => {
    const path = join(dir, "token");
    await writeFile(path, ` ${SECRET}\r\n\n`, { mode: 0o600 });
    expect(await resolveSecret({ kind: "file", path })).toBe(` ${SECRET}`);
    expect(await resolveSecret({ kind: "file", path: "token" }, { cwd: dir })).toBe(` ${SECRET}`);
  });

  it.runIf(posix)("refuses a group- or world-readable secret file with a clear error", async () => {
    const path = join(dir, "token");
    await writeFile(path, SECRET, { mode: 0o600 });
    for (const mode of [0o640, 0o604, 0o660]) {
      await chmod(path, mode);
      const error = await resolveSecret({ kind: "file", path }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SecretSourceError);
      expect((error as Error).message).toMatch(/accessible by group or others.*chmod 600/);
      expect((error as Error).message).not.toContain(SECRET);
    }
  });

  it("refuses missing and empty files", async () => {
    await expect(resolveSecret({ kind: "file", path: join(dir, "nope") })).rejects.toThrow(/cannot open secret file.*ENOENT/);
    const empty = join(dir, "empty");
    await writeFile(empty, "\n", { mode: 0o600 });
    await expect(resolveSecret({ kind: "file", path: empty })).rejects.toThrow(/is empty/);
  });

  it("runs a command without a shell and uses its trimmed stdout (argv array and string forms)", async () => {
    const script = join(dir, "print-secret.mjs");
    await writeFile(script, `process.stdout.write("  " + process.argv[2] + "\\n");\n`);
    expect(await resolveSecret({ kind: "command", command: [process.execPath, script, SECRET] })).toBe(SECRET);
    const line = quote([process.execPath, script, `${SECRET} with spaces`]);
    expect(await resolveSecret({ kind: "command", command: line })).toBe(`${SECRET} with spaces`);
  });

  it("never puts a failing command's stdout, stderr (or its argv) into the error", async () => {
    const script = join(dir, "fail.mjs");
    await writeFile(script, `process.stdout.write(${JSON.stringify(SECRET)}); process.stderr.write("token=${SECRET}\\n"); process.exit(3);\n`);
    const error = await resolveSecret({ kind: "command", command: [process.execPath, script, "--arg-secret", SECRET] }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SecretSourceError);
    expect((error as Error).message).toMatch(/exited with code 3 \(its stderr is not shown, as it may hold the secret; run the command yourself/);
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect((error as Error).message).not.toContain(SECRET);
    expect(Object.values(error as object).join(" ")).not.toContain(SECRET);
  });

  it("times out a hanging command", async () => {
    const script = join(dir, "hang.mjs");
    await writeFile(script, "setTimeout(() => {}, 60_000);\n");
    await expect(resolveSecret({ kind: "command", command: [process.execPath, script], timeoutMs: 200 })).rejects.toThrow(
      /timed out after 200 ms/,
    );
  });

  it("reports a missing program and empty output", async () => {
    await expect(resolveSecret({ kind: "command", command: ["/nonexistent/secret-tool"] })).rejects.toThrow(/program not found/);
    const script = join(dir, "silent.mjs");
    await writeFile(script, "\n");
    await expect(resolveSecret({ kind: "command", command: [process.execPath, script] })).rejects.toThrow(/printed nothing/);
  });

  it("splits command strings like a shell but refuses shell syntax", () => {
    expect(parseCommandLine(`op read "op://vault/gw2 item/token"`)).toEqual(["op", "read", "op://vault/gw2 item/token"]);
    expect(parseCommandLine("pass show 'gw2/token'")).toEqual(["pass", "show", "gw2/token"]);
    for (const bad of ["cat token | tr -d x", "op read x > out", "echo $HOME", "cat *.txt", "a; b", "a && b", "x # c", ""]) {
      expect(() => parseCommandLine(bad), bad).toThrow(SecretSourceError);
    }
  });

  it("describes sources by kind and name only", () => {
    expect(describeSecretSource({ kind: "env", name: "GW2_TOKEN" })).toEqual({ kind: "env", name: "GW2_TOKEN" });
    expect(describeSecretSource({ kind: "command", command: `op read op://vault/item/token` })).toEqual({ kind: "command", name: "op" });
    expect(describeSecretSource({ kind: "command", command: ["echo", SECRET] })).toEqual({ kind: "command", name: "echo" });
  });
});

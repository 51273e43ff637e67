import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCodes } from "@clawbridge/cli-contract";
import { VERB_NAMES } from "../src/verbs.js";
import { assertBuilt, cleanEnv, json, runSkill, SKILL_BIN, tempDir, writeRemotes } from "./helpers/bins.js";
import type { RunResult } from "./helpers/bins.js";

let dir: string;
let cleanup: () => Promise<void>;
let env: NodeJS.ProcessEnv;
/** A TCP listener that accepts connections and never answers (no WebSocket upgrade). */
let silent: Server;
const accepted: Socket[] = [];
let onAccept: (() => void) | undefined;

beforeAll(async () => {
  assertBuilt();
  ({ dir, cleanup } = await tempDir());
  silent = createServer((socket) => {
    accepted.push(socket);
    onAccept?.();
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const { port } = silent.address() as AddressInfo;
  await writeRemotes(dir, { hang: { url: `ws://127.0.0.1:${port}`, description: "never answers", auth: { tokenEnv: "HANG_TOKEN" } } });
  env = cleanEnv(dir, { HANG_TOKEN: "hang-token-5c2e9a" });
});

afterAll(async () => {
  for (const socket of accepted) socket.destroy();
  await new Promise<void>((resolve) => silent?.close(() => resolve()));
  await cleanup?.();
});

/** Runs the bin with stdout on `/dev/full` (every write fails with ENOSPC). */
function runToDevFull(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const fd = openSync("/dev/full", "w");
  const child = spawn(SKILL_BIN, [...args], { env, stdio: ["ignore", fd, "pipe"] });
  closeSync(fd);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stderr }));
  });
}

/** Starts a verb against the silent listener and sends `signal` once its connection is accepted. */
function interruptWhileConnecting(signal: NodeJS.Signals): Promise<RunResult> {
  const before = accepted.length;
  const child = spawn(SKILL_BIN, ["status", "hang", "--timeout", "30000"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  onAccept = () => {
    if (accepted.length > before) child.kill(signal);
  };
  // Never hang the suite: the bin's own budget is 30 s.
  const guard = setTimeout(() => child.kill("SIGKILL"), 15_000);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, killedBy) => {
      clearTimeout(guard);
      onAccept = undefined;
      resolve({ code: code ?? (killedBy === null ? null : -1), stdout, stderr });
    });
  });
}

describe("remote-gateway when stdout cannot be written", () => {
  it.skipIf(!existsSync("/dev/full"))("a verb's document to /dev/full exits 7 with one line on stderr and no stack trace", async () => {
    const result = await runToDevFull(["remotes"]);
    expect(result.code).toBe(ExitCodes.OUTPUT_FAILED);
    expect(result.stderr).toBe("remote-gateway: cannot write to stdout (ENOSPC); the output is incomplete\n");
    expect(result.stderr).not.toMatch(/\n\s+at |Node\.js v/);
  });

  it.skipIf(!existsSync("/dev/full"))("help and usage errors to /dev/full exit 7 the same way", async () => {
    for (const args of [["remotes", "--help"], ["list_nodes", "hang", "--verbose"]]) {
      const result = await runToDevFull(args);
      expect(result.code, args.join(" ")).toBe(ExitCodes.OUTPUT_FAILED);
      expect(result.stderr.split("\n").filter(Boolean), args.join(" ")).toHaveLength(1);
      expect(result.stderr, args.join(" ")).not.toMatch(/\n\s+at |Node\.js v/);
    }
  });
});

describe("remote-gateway interrupted while it waits on the gateway", () => {
  it.each([
    ["SIGTERM", ExitCodes.TERMINATED],
    ["SIGINT", ExitCodes.INTERRUPTED],
  ] as const)("%s prints one interrupted envelope (requestSent false) and exits %i", async (signal, exitCode) => {
    const result = await interruptWhileConnecting(signal);
    expect(result.code).toBe(exitCode);
    expect(result.stderr).toBe("");
    const envelope = json<{ ok: boolean; error: { type: string; code: string; requestSent: boolean; message: string } }>(result);
    expect(envelope.ok).toBe(false);
    expect(envelope.error).toMatchObject({ type: "interrupted", code: "INTERRUPTED", requestSent: false });
    expect(envelope.error.message).toContain(signal);
    // No URL, as for every other failure.
    expect(result.stdout).not.toContain("127.0.0.1");
  });
});

describe("remote-gateway <verb> --help", () => {
  it("remotes names its usage once", async () => {
    const result = await runSkill(["remotes", "--help"], env);
    expect(result.code).toBe(0);
    const usage = result.stdout.split("\n")[0] ?? "";
    expect(usage.startsWith("Usage: remote-gateway remotes")).toBe(true);
    expect(usage.match(/remote-gateway/g)).toHaveLength(1);
  });

  it.each(VERB_NAMES.map((verb) => [verb]))("%s says which gateway methods it sends, with no stray blank line", async (verb) => {
    const result = await runSkill([verb, "--help"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Gateway method\(s\): \S/m);
    expect(result.stdout).not.toContain("\n\n\n");
  });

  it("--help lists every exit code of the contract, exit 3 with pin mismatch", async () => {
    const result = await runSkill(["--help"], env);
    for (const code of Object.values(ExitCodes)) expect(result.stdout, String(code)).toMatch(new RegExp(`^  (\\d+, )?${code}\\b`, "m"));
    expect(/^ {2}3 .*(\n {5}.*)*/m.exec(result.stdout)?.[0]).toContain("pin mismatch");
  });

  it("the README's exit table has the same codes, exit 3 with pin mismatch too", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
    for (const code of Object.values(ExitCodes)) expect(readme, String(code)).toMatch(new RegExp(`^\\| (\\d+ / )?${code}( / \\d+)? \\|`, "m"));
    expect(/^\| 3 \|.*$/m.exec(readme)?.[0]).toContain("pin mismatch");
    expect(readme).not.toContain("ARCHITECTURE §4");
  });
});

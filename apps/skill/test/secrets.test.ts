import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockGateway } from "@clawbridge/mock-gateway";
import { assertBuilt, cleanEnv, json, runClawbridge, runSkill, SKILL_BIN_DIR, tempDir, writeRemotes } from "./helpers/bins.js";
import type { RunResult } from "./helpers/bins.js";
import { startGateway } from "./helpers/gateways.js";

/** The canary: if it shows up anywhere but the gateway's auth check, something leaked. */
const CANARY = "canary-gw2-token-9d41c7e2b5a8";
const hasProc = existsSync("/proc/self/cmdline");

let gateway: MockGateway;
let dir: string;
let cleanup: () => Promise<void>;
let env: NodeJS.ProcessEnv;
let recordFile: string;

function expectNoCanary(result: RunResult): void {
  expect(result.stdout).not.toContain(CANARY);
  expect(result.stderr).not.toContain(CANARY);
}

/** Every process's argv on this machine (Linux), NUL separators turned into spaces. */
function allCommandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " "));
    } catch {
      // the process exited meanwhile
    }
  }
  return lines;
}

beforeAll(async () => {
  assertBuilt();
  ({ dir, cleanup } = await tempDir());
  gateway = await startGateway(CANARY);
  // The token command records its own argv and its parent's (the remote-gateway process), then prints the token.
  recordFile = join(dir, "token-command-record.json");
  const script = join(dir, "token-command.mjs");
  await writeFile(
    script,
    [
      'import { existsSync, readFileSync, writeFileSync } from "node:fs";',
      'const parent = existsSync(`/proc/${process.ppid}/cmdline`) ? readFileSync(`/proc/${process.ppid}/cmdline`, "utf8") : "";',
      `writeFileSync(${JSON.stringify(recordFile)}, JSON.stringify({ argv: process.argv, parent }));`,
      `process.stdout.write(${JSON.stringify(`${CANARY}\n`)});`,
    ].join("\n"),
  );
  await writeRemotes(dir, {
    cmd: { url: gateway.url, auth: { tokenCommand: [process.execPath, script] } },
    envsrc: { url: gateway.url, auth: { tokenEnv: "GW2_TOKEN" }, skill: { allowInvoke: ["system.notify"], allowCall: true } },
  });
  env = cleanEnv(dir, { GW2_TOKEN: CANARY });
});

afterAll(async () => {
  await gateway?.stop({ graceMs: 100 });
  await cleanup?.();
});

describe("no token in argv, output or the printed allowlist entry (canary)", () => {
  it("resolves a token from a secret command without putting it on any argv", async () => {
    const result = await runSkill(["list_nodes", "cmd"], env);
    expect(result.code).toBe(0);
    expectNoCanary(result);
    const record = JSON.parse(await readFile(recordFile, "utf8")) as { argv: string[]; parent: string };
    expect(record.argv.join(" ")).not.toContain(CANARY);
    if (hasProc) {
      // The parent is the remote-gateway process itself.
      expect(record.parent).toContain("list_nodes");
      expect(record.parent).not.toContain(CANARY);
    }
  });

  it.skipIf(!hasProc)("no process on the machine carries the token in its argv while a verb is in flight", async () => {
    gateway.faults.set("node.list", { delayMs: 1_500, times: 1 });
    const running = runSkill(["list_nodes", "envsrc"], env);
    const seen: string[] = [];
    const deadline = Date.now() + 1_200;
    while (Date.now() < deadline) {
      seen.push(...allCommandLines().filter((line) => line.includes("remote-gateway") || line.includes(CANARY)));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const result = await running;
    expect(result.code).toBe(0);
    expect(seen.some((line) => line.includes("list_nodes envsrc"))).toBe(true);
    expect(seen.filter((line) => line.includes(CANARY))).toEqual([]);
  });

  it("keeps the token out of output when the gateway rejects it", async () => {
    const other = await startGateway("a-different-token-000000");
    try {
      await writeRemotes(dir, { bad: { url: other.url, auth: { tokenEnv: "GW2_TOKEN" } } });
      const result = await runSkill(["status", "bad"], env);
      expect(result.code).toBe(4);
      expectNoCanary(result);
    } finally {
      await other.stop({ graceMs: 100 });
      await writeRemotes(dir, {
        cmd: { url: gateway.url, auth: { tokenCommand: [process.execPath, join(dir, "token-command.mjs")] } },
        envsrc: { url: gateway.url, auth: { tokenEnv: "GW2_TOKEN" }, skill: { allowInvoke: ["system.notify"], allowCall: true } },
      });
    }
  });

  it("redacts the token when a gateway echoes it back in an error", async () => {
    gateway.faults.set("node.list", {
      error: { code: "INVALID_REQUEST", message: `bad token ${CANARY} here`, details: { echoed: CANARY } },
      times: 1,
    });
    const result = await runSkill(["list_nodes", "envsrc"], env);
    expect(result.code).toBe(1);
    expectNoCanary(result);
    expect(json(result)).toMatchObject({ error: { message: "bad token [REDACTED] here", details: { echoed: "[REDACTED]" } } });
  });

  it("never prints the token in skill install's allowlist entry or env snippet (names only)", async () => {
    const workspace = join(dir, "workspace");
    const installEnv = { ...env, PATH: `${SKILL_BIN_DIR}:${env["PATH"] ?? ""}` };
    for (const args of [["skill", "install", "--json"], ["skill", "install"]]) {
      const result = await runClawbridge([...args, "--dir", join(workspace, "skills")], { env: installEnv, cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expectNoCanary(result);
      expect(result.stdout).toContain("GW2_TOKEN");
    }
  });
});

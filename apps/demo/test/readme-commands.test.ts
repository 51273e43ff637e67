import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAllowlistEntry } from "../src/allowlist-entries.js";
import { systemRunInvokeParams } from "../src/invoke-params.js";
import { builtBins } from "./helpers/lab.js";

/**
 * The root README's commands, executed: every fenced `bash` block is claimed by exactly one
 * check below (an unclaimed block fails the test), the guides' blocks run in order in one
 * temporary HOME, and the JSON examples are compared with what the demo really sends.
 */

const REPO = resolve(import.meta.dirname, "..", "..", "..");
const README = readFileSync(join(REPO, "README.md"), "utf8");
const INSTALL = "npm install --global pnpm@10.34.8 && pnpm install --frozen-lockfile && pnpm build && pnpm demo";

interface Block {
  readonly lang: string;
  readonly code: string;
}

function fencedBlocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```([\w-]*)\n([\s\S]*?)^```\s*$/gm)].map((match) => ({ lang: match[1] ?? "", code: (match[2] ?? "").trimEnd() }));
}

const blocks = fencedBlocks(README);
const bashBlocks = blocks.filter((block) => block.lang === "bash");
const jsonBlocks = blocks.filter((block) => block.lang === "json").map((block) => JSON.parse(block.code) as Record<string, unknown>);
/** Bash blocks a check has run or verified; the last test asserts it is all of them. */
const claimed = new Set<string>();

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a block with `bash -euo pipefail` (what a careful user's shell does on error: stop). */
function runBlock(code: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Finished> {
  return new Promise((resolveRun, reject) => {
    const child = spawn("bash", ["-euo", "pipefail", "-c", code], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (exitCode) => {
      clearTimeout(timer);
      resolveRun({ code: exitCode, stdout, stderr });
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** A long-running block (a server), in its own process group so it can be stopped with everything it started. */
interface Background {
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

function startBlock(code: string, env: NodeJS.ProcessEnv): Background {
  const child = spawn("bash", ["-euo", "pipefail", "-c", code], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<void>((resolveExit) => child.once("close", () => resolveExit()));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let home: string;
const background: Background[] = [];

beforeAll(() => {
  builtBins();
  home = mkdtempSync(join(tmpdir(), "clawbridge-readme-"));
});

afterAll(async () => {
  for (const server of background.reverse()) await server.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("README commands", () => {
  it("the install command is the one CI runs (pinned pnpm, frozen lockfile, build) and ends with pnpm demo", () => {
    const block = bashBlocks.find((candidate) => candidate.code === INSTALL);
    expect(block, "the install + demo block").toBeDefined();
    claimed.add(INSTALL);
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { packageManager: string; scripts: Record<string, string> };
    expect(INSTALL).toContain(`pnpm@${pkg.packageManager.split("@")[1]}`);
    const ci = readFileSync(join(REPO, ".ci", "run"), "utf8");
    expect(ci).toContain('"pnpm@$pnpm_version"');
    expect(ci).toMatch(/^pnpm install --frozen-lockfile$/m);
    expect(ci).toMatch(/^pnpm run build$/m);
    expect(pkg.scripts["build"]).toBe("turbo run build");
    expect(pkg.scripts["demo"]).toBe("node apps/demo/dist/main.js");
  });

  it("the test command is the root test script, the one CI runs as the README's", () => {
    expect(bashBlocks.some((block) => block.code === "pnpm test")).toBe(true);
    claimed.add("pnpm test");
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> };
    // Running it here would run this very suite again; its definition is what we can pin.
    expect(pkg.scripts["test"]).toMatch(/vitest run$/);
    expect(readFileSync(join(REPO, ".ci", "run"), "utf8")).toMatch(/^step "test \(the README's test command\)"\npnpm test$/m);
  });

  it("`pnpm demo` runs the seed and ends with the success line, exit 0", async () => {
    const result = await runBlock("pnpm demo", { PATH: process.env["PATH"], HOME: home, NO_COLOR: "1" }, 80_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(/^demo ok: 3\/3 flows/);
  });

  it("the guides' bash blocks run in order in a fresh HOME and do what the text says", async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: [join(home, ".local", "bin"), dirname(process.execPath), process.env["PATH"] ?? "/usr/bin:/bin"].join(delimiter),
      HOME: home,
      NO_COLOR: "1",
      RELAY_PORT: String(await freePort()),
      RELAY_ADMIN_PORT: String(await freePort()),
    };
    const guides = bashBlocks.filter((block) => block.code !== INSTALL && block.code !== "pnpm test");
    expect(guides.length).toBeGreaterThanOrEqual(7);
    for (const block of guides) {
      const code = block.code;
      if (code.includes("clawbridge mock-gateway")) {
        // "a second terminal": the mock prints its URL; the guide then exports it with the token.
        const server = startBlock(code, env);
        background.push(server);
        env["GW2_URL"] = await until("the mock gateway's URL", () => server.stdout().match(/^(ws:\/\/\S+)$/m)?.[1]);
        env["GW2_TOKEN"] = code.match(/GW2_TOKEN=(\S+)/)?.[1];
      } else if (/^clawbridge-relay --config /.test(code)) {
        const server = startBlock(code, env);
        background.push(server);
        await until(`the relay's /readyz (stderr: ${server.stderr().slice(-500)})`, async () => {
          const res = await fetch(`http://127.0.0.1:${env["RELAY_ADMIN_PORT"]}/readyz`).catch(() => undefined);
          return res?.status === 200 ? true : undefined;
        });
      } else {
        const result = await runBlock(code, env, 90_000);
        expect(result.code, `${code}\n--- stderr ---\n${result.stderr}`).toBe(0);
        if (code.includes("gateway call node.list")) expect(result.stdout).toContain('"displayName": "WN2"');
        if (code.includes("remote-gateway list_nodes gw2")) expect(result.stdout).toContain("WN2");
        if (code.includes("clawbridge skill install")) expect(result.stdout).toContain('{"pattern":"');
        if (code.includes("clawbridge-relay check")) expect(result.stdout).toContain("ok (1 upstreams, 1 clients)");
        if (code.includes("clawbridge --version")) expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
      }
      claimed.add(code);
    }
    // What the guides promised is where they said.
    expect(readFileSync(join(home, ".config", "clawbridge", "remotes.json"), "utf8")).not.toContain(env["GW2_TOKEN"] as string);
    expect(existsSync(join(home, ".openclaw", "skills", "remote-gateway", "SKILL.md"))).toBe(true);
    expect(readFileSync(join(home, "relay", "audit.jsonl"), "utf8")).toContain('"method":"node.list"');
  });

  it("the JSON examples are what the demo sends: node.invoke params and an allowlist that admits exactly them", () => {
    const invoke = jsonBlocks.find((block) => block["command"] === "system.run");
    const approvals = jsonBlocks.find((block) => block["version"] === 1 && typeof block["agents"] === "object");
    expect(invoke).toBeDefined();
    expect(approvals).toBeDefined();
    const argv = (invoke?.["params"] as { command: string[] }).command;
    const expected = systemRunInvokeParams("<WN1's node id>", argv);
    expect(Object.keys(invoke ?? {}).sort()).toEqual(Object.keys(expected).sort());
    expect(invoke?.["params"]).toEqual(expected.params);
    expect(invoke?.["timeoutMs"]).toBe(expected.timeoutMs);

    const entry = (approvals?.["agents"] as Record<string, { allowlist: Array<{ pattern: string; argPattern: string }> }>)["*"]?.allowlist[0];
    expect(entry).toEqual(seedAllowlistEntry(argv[0] as string));
    const pattern = new RegExp(entry?.argPattern ?? "^$");
    expect(pattern.test(argv.slice(1).join(" "))).toBe(true);
    expect(pattern.test("gateway call node.list --remote gw3 --json")).toBe(false);
    expect(pattern.test("remote show gw2 --json")).toBe(false);
    expect(approvals?.["defaults"]).toEqual({ security: "allowlist", ask: "off", askFallback: "deny", autoAllowSkills: false });
  });

  it("the layout table names every package and app", () => {
    for (const parent of ["packages", "apps"]) {
      for (const name of readdirSync(join(REPO, parent))) {
        if (existsSync(join(REPO, parent, name, "package.json"))) expect(README).toContain(`| \`${parent}/${name}\` |`);
      }
    }
  });

  it("every bash block in the README was run or checked above", () => {
    expect(bashBlocks.map((block) => block.code).filter((code) => !claimed.has(code))).toEqual([]);
  });
});

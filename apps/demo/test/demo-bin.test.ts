import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childPids } from "../src/child-processes.js";
import type { DemoReport } from "../src/demo-run.js";
import { formatReport } from "../src/report-format.js";
import { builtBins } from "./helpers/lab.js";

/** The built bin, as `pnpm demo` runs it. */
const DEMO_BIN = resolve(import.meta.dirname, "..", "dist", "main.js");

let scratch: string;

beforeAll(() => {
  builtBins();
  if (!existsSync(DEMO_BIN)) throw new Error(`${DEMO_BIN} is missing: run pnpm build`);
  scratch = mkdtempSync(join(tmpdir(), "clawbridge-demo-test-"));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

interface Run {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Every descendant pid seen while it ran (sampled every 25 ms). */
  readonly descendants: Set<number>;
  /** Resolves once a live descendant's command line contains `text`. */
  waitForDescendant(text: string, timeoutMs?: number): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function descendantsOf(pid: number): number[] {
  const all: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const children = childPids(queue.shift() as number);
    all.push(...children);
    queue.push(...children);
  }
  return all;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts the demo bin with a private TMPDIR (to check it leaves no folder behind). */
function startDemo(args: readonly string[], tmp: string): Run {
  const child = spawn(process.execPath, [DEMO_BIN, ...args], {
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", TMPDIR: tmp, HOME: tmp },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const descendants = new Set<number>();
  const sampler = setInterval(() => {
    for (const pid of descendantsOf(child.pid as number)) descendants.add(pid);
  }, 25);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) => {
    child.once("exit", (code, signal) => {
      clearInterval(sampler);
      resolvePromise({ code, signal });
    });
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 80_000);
  void exited.then(() => clearTimeout(killer));
  return {
    pid: child.pid as number,
    stdout: () => stdout,
    stderr: () => stderr,
    descendants,
    exited,
    waitForDescendant: async (text, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (descendantsOf(child.pid as number).some((pid) => cmdline(pid).includes(text))) return;
        if (child.exitCode !== null) throw new Error(`demo exited before "${text}" ran; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no descendant running "${text}" within ${timeoutMs} ms; stderr: ${stderr}`);
    },
  };
}

describe("clawbridge-demo (the bin behind pnpm demo)", () => {
  it("--json: exit 0 and a report where all three flows brought WN2 back and nothing leaked", async () => {
    const tmp = mkdtempSync(join(scratch, "json-"));
    const run = startDemo(["--json"], tmp);
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(0);
    const report = JSON.parse(run.stdout()) as DemoReport;
    expect(report.ok).toBe(true);
    expect(report.flows.map((flow) => [flow.name, flow.status])).toEqual([
      ["seed", "ok"],
      ["skill", "ok"],
      ["relay", "ok"],
    ]);
    for (const flow of report.flows) {
      expect(flow.exitCode).toBe(0);
      expect(flow.nodes).toEqual([expect.objectContaining({ nodeId: report.topology.wn2.nodeId, displayName: "WN2" })]);
      expect(flow.hops?.gw1RoundTripMs).toBeGreaterThan(0);
      expect(flow.hops?.gw2RpcMs).toBeGreaterThanOrEqual(0);
    }
    expect(report.flows[0]?.argv?.slice(1)).toEqual(["gateway", "call", "node.list", "--remote", "gw2", "--json"]);
    expect(report.guard).toMatchObject({ denied: true, error: { code: "UNAVAILABLE" } });
    expect(report.secrets.length).toBeGreaterThanOrEqual(6);
    expect(report.secrets.filter((exposure) => exposure.found)).toEqual([]);
    expect(report.summary).toMatch(/^demo ok: 3\/3 flows/);
    // The report is printable as the human output, ending with the summary line.
    const human = formatReport(report);
    expect(human).toContain("WN1 runs: clawbridge gateway call node.list --remote gw2 --json");
    expect(human).toContain("WN1 runs: remote-gateway list_nodes gw2");
    expect(human).toContain("--token-file $CLAWBRIDGE_CONFIG_DIR/secrets/relay.token --json");
    expect(human).toMatch(/= GW1 node\.invoke round trip [\d.]+ ms · WN1 spawn\+CLI [\d.]+ ms · GW2 RPC [\d.]+ ms/);
    expect(human.trimEnd().split("\n").at(-1)).toBe(report.summary);
    // Nothing left behind: no child processes, no temp folder.
    expect([...run.descendants].filter(isAlive)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it.each([
    ["SIGINT", 130, "bin/clawbridge gateway call node.list --remote gw2"],
    ["SIGTERM", 143, "relay/dist/main.js --config"],
  ] as const)("%s mid-flow: exits %i after stopping every process it started and removing its folder", async (signal, exitCode, runningText) => {
    const tmp = mkdtempSync(join(scratch, `${signal}-`));
    const run = startDemo([], tmp);
    await run.waitForDescendant(runningText);
    expect(readdirSync(tmp).filter((name) => name.startsWith("clawbridge-demo-"))).toHaveLength(1);
    process.kill(run.pid, signal);
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(exitCode);
    expect(run.stderr()).toContain(`${signal}: stopping`);
    expect(run.descendants.size).toBeGreaterThan(0);
    // Give the kernel a moment to reap what was killed last.
    const deadline = Date.now() + 5_000;
    while ([...run.descendants].some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect([...run.descendants].filter(isAlive).map((pid) => `${pid} ${cmdline(pid)}`)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

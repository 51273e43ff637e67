import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MockGateway, MockNode } from "@clawbridge/mock-gateway";
import { startRealGateway } from "./harness/gateway.ts";
import type { RealGateway } from "./harness/gateway.ts";
import { callSystemRun } from "./harness/gateway-rpc.ts";
import { ensureOpenClaw, REPO_ROOT } from "./harness/install.ts";
import { createOpenClawPaths, isolatedEnv } from "./harness/isolated-env.ts";
import type { OpenClawPaths } from "./harness/isolated-env.ts";
import { approveNodeHost, setNodeExecApprovals, startRealNodeHost } from "./harness/node-host.ts";
import type { RealNodeHost } from "./harness/node-host.ts";
import { runOpenClaw } from "./harness/openclaw-cli.ts";

/** The built bins (`pnpm build`): the skill's and the CLI that installs it. */
const SKILL_BIN_DIR = join(REPO_ROOT, "apps", "skill", "dist", "bin");
const CLAWBRIDGE = join(REPO_ROOT, "apps", "cli", "dist", "bin", "clawbridge");

interface InstallOutput {
  skill: { installedTo: string };
  allowlistEntry: { pattern: string; argPattern: string };
}

interface ListedSkill {
  name: string;
  eligible: boolean;
  source: string;
  modelVisible: boolean;
  missing: { bins: string[] };
}

/** Runs the built `clawbridge` (Node 20, as on a worker node without OpenClaw's runtime) and parses its JSON. */
async function clawbridge(args: readonly string[], env: NodeJS.ProcessEnv): Promise<InstallOutput> {
  const child = spawn(process.execPath, [CLAWBRIDGE, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const code = await new Promise<number | null>((resolvePromise) => child.once("close", resolvePromise));
  if (code !== 0) throw new Error(`clawbridge ${args.join(" ")} exited ${String(code)}: ${stdout}${stderr}`);
  return JSON.parse(stdout) as InstallOutput;
}

/** PATH for OpenClaw: Node 24 and the system dirs, plus the skill's bin dir when `withBin`. Nothing from the developer's PATH. */
function openclawPath(node24: string, withBin: boolean): string {
  return [dirname(node24), ...(withBin ? [SKILL_BIN_DIR] : []), "/usr/local/bin", "/usr/bin", "/bin"].join(delimiter);
}

async function listSkills(paths: OpenClawPaths, node24: string, withBin: boolean): Promise<ListedSkill[]> {
  // No gateway runs: `skills list` falls back to the local inventory for the implicit local target.
  const env = isolatedEnv(paths, node24, { PATH: openclawPath(node24, withBin), OPENCLAW_GATEWAY_PORT: "9" });
  const result = await runOpenClaw(["skills", "list", "--json"], { env, cwd: paths.homeDir, timeoutMs: 120_000 });
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { skills: ListedSkill[] }).skills;
}

describe("openclaw skills list (real 2026.9.6) sees the installed remote-gateway skill", () => {
  let root: string;
  let node24: string;
  let paths: OpenClawPaths;

  beforeAll(async () => {
    if (!existsSync(CLAWBRIDGE) || !existsSync(join(SKILL_BIN_DIR, "remote-gateway"))) throw new Error("run `pnpm build` first");
    ({ node24 } = await ensureOpenClaw());
    root = mkdtempSync(join(tmpdir(), "clawbridge-skill-interop-"));
    paths = createOpenClawPaths(root);
    // Minimal setup: no openclaw.json, no gateway. `--global` honours OPENCLAW_STATE_DIR (managed skills).
    await clawbridge(["skill", "install", "--global", "--json"], {
      PATH: [dirname(process.execPath), SKILL_BIN_DIR, "/usr/bin", "/bin"].join(delimiter),
      HOME: paths.homeDir,
      OPENCLAW_STATE_DIR: paths.stateDir,
      CLAWBRIDGE_CONFIG_DIR: join(root, "clawbridge"),
    });
  });

  afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it("lists it as eligible (and model-visible) when remote-gateway is on PATH", async () => {
    const skill = (await listSkills(paths, node24, true)).find((entry) => entry.name === "remote-gateway");
    expect(skill).toMatchObject({ eligible: true, modelVisible: true, source: "openclaw-managed", missing: { bins: [] } });
  });

  it("lists it as ineligible, missing the remote-gateway bin, when it is not on PATH", async () => {
    const skill = (await listSkills(paths, node24, false)).find((entry) => entry.name === "remote-gateway");
    expect(skill).toMatchObject({ eligible: false, modelVisible: false, missing: { bins: ["remote-gateway"] } });
  });

  it("parses the frontmatter as written: requires.bins and the npm installer (skills info)", async () => {
    const env = isolatedEnv(paths, node24, { PATH: openclawPath(node24, true), OPENCLAW_GATEWAY_PORT: "9" });
    const result = await runOpenClaw(["skills", "info", "remote-gateway", "--json"], { env, cwd: paths.homeDir, timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      name: "remote-gateway",
      skillKey: "remote-gateway",
      requirements: { bins: ["remote-gateway"] },
      install: [{ id: "node", kind: "node", bins: ["remote-gateway"] }],
    });
  });

  it("finds a workspace install (`--dir <workspace>/skills`) too", async () => {
    const workspaceSkills = join(paths.stateDir, "workspace", "skills");
    const installed = await clawbridge(["skill", "install", "--dir", workspaceSkills, "--json"], {
      PATH: [dirname(process.execPath), SKILL_BIN_DIR, "/usr/bin", "/bin"].join(delimiter),
      HOME: paths.homeDir,
      CLAWBRIDGE_CONFIG_DIR: join(root, "clawbridge"),
    });
    expect(installed.skill.installedTo).toBe(join(workspaceSkills, "remote-gateway"));
    const skill = (await listSkills(paths, node24, true)).find((entry) => entry.name === "remote-gateway");
    // Workspace skills take precedence over managed ones.
    expect(skill).toMatchObject({ eligible: true, source: "openclaw-workspace" });
  });
});

describe("a real node host (WN1) runs remote-gateway under exactly the entry `skill install` prints", () => {
  const GW1_TOKEN = `interop-gw1-${randomUUID()}`;
  const GW2_TOKEN = `interop-gw2-${randomUUID()}`;
  let gw1: RealGateway;
  let wn1: RealNodeHost;
  let gw2: MockGateway;
  let wn2: MockNode;
  let configDir: string;
  let entry: InstallOutput["allowlistEntry"];

  function systemRun(argv: readonly string[]): ReturnType<typeof callSystemRun> {
    return callSystemRun(gw1, wn1.nodeId, argv, 60_000);
  }

  beforeAll(async () => {
    // Cluster 2 is the mock (in-process GW2 + WN2); cluster 1 is real OpenClaw.
    gw2 = new MockGateway({ auth: { token: GW2_TOKEN } });
    await gw2.start();
    wn2 = new MockNode({ url: gw2.url, token: GW2_TOKEN, displayName: "WN2", platform: "linux", deviceFamily: "Linux" });
    await wn2.start();
    gw2.approveNodePairing(wn2.nodeId);

    configDir = mkdtempSync(join(tmpdir(), "clawbridge-skill-wn1-"));
    writeFileSync(join(configDir, "remotes.json"), JSON.stringify({ version: 1, remotes: { gw2: { url: gw2.url, auth: { tokenEnv: "GW2_TOKEN" } } } }), {
      mode: 0o600,
    });
    const installed = await clawbridge(["skill", "install", "--remote", "gw2", "--dir", join(configDir, "skills"), "--json"], {
      PATH: [dirname(process.execPath), SKILL_BIN_DIR, "/usr/bin", "/bin"].join(delimiter),
      HOME: configDir,
      CLAWBRIDGE_CONFIG_DIR: configDir,
    });
    entry = installed.allowlistEntry;

    gw1 = await startRealGateway({ auth: { token: GW1_TOKEN } });
    // WN1's service environment: where its remote profiles live and GW2's secret. (It also holds GW1's own token.)
    wn1 = await startRealNodeHost({ gateway: gw1, displayName: "WN1", env: { CLAWBRIDGE_CONFIG_DIR: configDir, GW2_TOKEN } });
    await approveNodeHost(gw1, wn1);
    await setNodeExecApprovals(wn1, {
      version: 1,
      defaults: { security: "allowlist", ask: "off", askFallback: "deny", autoAllowSkills: false },
      agents: { "*": { allowlist: [entry] } },
    });
  }, 300_000);

  afterAll(async () => {
    await wn1?.stop();
    await gw1?.stop();
    await wn2?.stop();
    await gw2?.stop({ graceMs: 100 });
    if (configDir !== undefined) rmSync(configDir, { recursive: true, force: true });
  });

  it("`remote-gateway list_nodes gw2` through node.invoke → system.run returns GW2's nodes", async () => {
    const result = await systemRun([entry.pattern, "list_nodes", "gw2"]);
    expect(result.ok, JSON.stringify(result.response)).toBe(true);
    const payload = (result.payload as { payload: { exitCode: number; stdout: string; stderr: string } }).payload;
    expect(payload.exitCode, payload.stderr).toBe(0);
    const nodes = (JSON.parse(payload.stdout) as { nodes: Array<{ nodeId: string }> }).nodes;
    expect(nodes.map((node) => node.nodeId)).toEqual([wn2.nodeId]);
  }, 120_000);

  it("the real node host denies what the argPattern excludes", async () => {
    for (const argv of [
      [entry.pattern, "list_nodes", "gw3"],
      [entry.pattern, "call", "gw2", "config.get"],
      [entry.pattern, "list_nodes", "gw2", "--verbose"],
    ]) {
      const result = await systemRun(argv);
      expect(result.ok, argv.join(" ")).toBe(false);
      expect(result.error).toMatchObject({ details: { nodeError: { code: "SYSTEM_RUN_DENIED" } } });
    }
  }, 180_000);

  it("matches the resolved path: the bin invoked through a symlink is still allowed", async () => {
    const link = join(configDir, "rg-link");
    symlinkSync(resolve(entry.pattern), link);
    const result = await systemRun([link, "remotes"]);
    expect(result.ok, JSON.stringify(result.response)).toBe(true);
  }, 120_000);
});

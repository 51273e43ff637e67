import { readFile, realpath, symlink } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockGateway } from "@clawbridge/mock-gateway";
import { buildArgPattern } from "../src/arg-pattern.js";
import { skillSourceDir } from "../src/skill-files.js";
import { SKILL_VERSION } from "../src/version.js";
import { assertBuilt, cleanEnv, json, runClawbridge, SKILL_BIN, SKILL_BIN_DIR, tempDir, writeRemotes } from "./helpers/bins.js";
import { startGateway, unusedPort } from "./helpers/gateways.js";

const TOKEN = "gw2-install-token-51aa0c";

interface InstallResult {
  ok: boolean;
  skill: { name: string; version: string; installedTo: string; replaced: boolean };
  bin: string;
  remotes: string[];
  verbs: string[];
  allowlistEntry: { pattern: string; argPattern: string };
  env: { names: string[]; skillsEntry: { skills: { entries: Record<string, { env: Record<string, string> }> } } };
}

let gateway: MockGateway;
let dir: string;
let cleanup: () => Promise<void>;
let env: NodeJS.ProcessEnv;
let packagedSkillMd: string;

beforeAll(async () => {
  assertBuilt();
  ({ dir, cleanup } = await tempDir());
  gateway = await startGateway(TOKEN);
  await writeRemotes(dir, {
    gw2: { url: gateway.url, auth: { tokenEnv: "GW2_TOKEN" }, skill: { allowInvoke: ["canvas.snapshot"] } },
    lab: { url: gateway.url, auth: { tokenFile: "lab.token", passwordEnv: "LAB_PASSWORD" } },
  });
  env = cleanEnv(dir, { PATH: `${SKILL_BIN_DIR}:${cleanEnv(dir)["PATH"] ?? ""}`, GW2_TOKEN: TOKEN });
  packagedSkillMd = await readFile(join(skillSourceDir(), "SKILL.md"), "utf8");
});

afterAll(async () => {
  await gateway?.stop({ graceMs: 100 });
  await cleanup?.();
});

describe("clawbridge skill install", () => {
  it("copies the skill into ./skills and prints the allowlist entry for the bin on PATH and the remotes in use", async () => {
    const workspace = join(dir, "ws1");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(workspace);
    const result = await runClawbridge(["skill", "install", "--remote", "gw2", "--json"], { env, cwd: workspace });
    expect(result.code, result.stderr).toBe(0);
    const out = json<InstallResult>(result);
    expect(out.skill).toEqual({ name: "remote-gateway", version: SKILL_VERSION, installedTo: join(workspace, "skills", "remote-gateway"), replaced: false });
    expect(await readFile(join(workspace, "skills", "remote-gateway", "SKILL.md"), "utf8")).toBe(packagedSkillMd);
    expect(out.allowlistEntry).toEqual({
      pattern: await realpath(SKILL_BIN),
      argPattern: buildArgPattern([{ id: "gw2", allowInvoke: ["canvas.snapshot"], allowCall: false }]),
    });
    expect(out.remotes).toEqual(["gw2"]);
    expect(out.verbs).toContain("invoke");
    expect(out.verbs).not.toContain("call");
    expect(out.env.names).toEqual(["GW2_TOKEN"]);
    expect(Object.keys(out.env.skillsEntry.skills.entries["remote-gateway"]?.env ?? {})).toEqual(["GW2_TOKEN"]);
    expect(result.stdout).not.toContain(TOKEN);

    const again = await runClawbridge(["skill", "install", "--remote", "gw2", "--json"], { env, cwd: workspace });
    expect(json<InstallResult>(again).skill.replaced).toBe(true);
  });

  it("defaults to every remote profile and names every env-sourced secret", async () => {
    const result = await runClawbridge(["skill", "install", "--dir", join(dir, "ws2", "skills"), "--json"], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const out = json<InstallResult>(result);
    expect(out.remotes).toEqual(["gw2", "lab"]);
    expect(out.env.names).toEqual(["GW2_TOKEN", "LAB_PASSWORD"]);
    expect(new RegExp(out.allowlistEntry.argPattern).test("list_nodes lab")).toBe(true);
    expect(new RegExp(out.allowlistEntry.argPattern).test("invoke lab n1 canvas.snapshot")).toBe(false);
  });

  it("leaves out of the argPattern the verbs a profile's scope ceiling cannot serve, and says so", async () => {
    const config = join(dir, "narrow-config");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(config);
    await writeRemotes(config, { ro: { url: gateway.url, auth: { tokenEnv: "GW2_TOKEN" }, scopes: ["operator.read"] } });
    const narrowEnv = { ...env, CLAWBRIDGE_CONFIG_DIR: config };
    const result = await runClawbridge(["skill", "install", "--dir", join(dir, "ws-narrow"), "--json"], { env: narrowEnv, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const out = json<InstallResult & { excludedVerbs: unknown[] }>(result);
    expect(out.excludedVerbs).toEqual([
      { remote: "ro", verb: "pending_pairings", missingScopes: ["operator.pairing"] },
      { remote: "ro", verb: "pending_approvals", missingScopes: ["operator.approvals"] },
    ]);
    expect(out.verbs).not.toContain("pending_pairings");
    expect(new RegExp(out.allowlistEntry.argPattern).test("pending_pairings ro")).toBe(false);
    expect(new RegExp(out.allowlistEntry.argPattern).test("list_nodes ro")).toBe(true);
    const text = await runClawbridge(["skill", "install", "--dir", join(dir, "ws-narrow")], { env: narrowEnv, cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toMatch(/pending_pairings left out for remote ro: its scope ceiling lacks operator\.pairing/);
  });

  it("--global installs into $OPENCLAW_STATE_DIR/skills, else ~/.openclaw/skills", async () => {
    const stateDir = join(dir, "state");
    const withState = await runClawbridge(["skill", "install", "--global", "--json"], { env: { ...env, OPENCLAW_STATE_DIR: stateDir }, cwd: dir });
    expect(json<InstallResult>(withState).skill.installedTo).toBe(join(stateDir, "skills", "remote-gateway"));
    expect(existsSync(join(stateDir, "skills", "remote-gateway", "SKILL.md"))).toBe(true);
    const home = join(dir, "home");
    const withHome = await runClawbridge(["skill", "install", "--global", "--json"], { env: { ...env, HOME: home }, cwd: dir });
    expect(json<InstallResult>(withHome).skill.installedTo).toBe(join(home, ".openclaw", "skills", "remote-gateway"));
  });

  it("names every directory it creates for the skills dir (never builds a mistyped path silently)", async () => {
    const deep = join(dir, "no-such-parent", "deeper", "skills");
    const result = await runClawbridge(["skill", "install", "--dir", deep, "--json"], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(json<{ createdDirs: string[] }>(result).createdDirs).toEqual([join(dir, "no-such-parent"), join(dir, "no-such-parent", "deeper"), deep]);
    const text = await runClawbridge(["skill", "install", "--dir", join(dir, "other-parent", "skills")], { env, cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toContain(`created directories that did not exist: ${join(dir, "other-parent")}, ${join(dir, "other-parent", "skills")}`);
    const one = await runClawbridge(["skill", "install", "--dir", join(dir, "ws-fresh")], { env, cwd: dir });
    expect(one.stderr).toContain(`Created ${join(dir, "ws-fresh")}`);
    // An existing skills dir: nothing created, nothing said.
    const again = await runClawbridge(["skill", "install", "--dir", deep, "--json"], { env, cwd: dir });
    expect(json<{ createdDirs: string[] }>(again).createdDirs).toEqual([]);
    const quiet = await runClawbridge(["skill", "install", "--dir", deep], { env, cwd: dir });
    expect(quiet.stderr).not.toMatch(/[Cc]reated/);
  });

  it("allowlists the real file behind a symlinked bin (OpenClaw matches the resolved path)", async () => {
    const link = join(dir, "remote-gateway");
    await symlink(SKILL_BIN, link);
    const result = await runClawbridge(["skill", "install", "--bin", link, "--dir", join(dir, "ws3"), "--json"], { env, cwd: dir });
    expect(json<InstallResult>(result).allowlistEntry.pattern).toBe(await realpath(SKILL_BIN));
  });

  it("prints the entry and the env snippet for people without --json", async () => {
    const result = await runClawbridge(["skill", "install", "--remote", "gw2", "--dir", join(dir, "ws4")], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split("\n");
    const entry = JSON.parse(lines[lines.findIndex((line) => line.startsWith("# exec-approvals")) + 1] ?? "") as Record<string, string>;
    expect(entry["pattern"]).toBe(await realpath(SKILL_BIN));
    expect(result.stdout).toContain('"remote-gateway":{"env":{"GW2_TOKEN"');
    expect(result.stderr).toContain("Installed the remote-gateway skill");
  });

  it.each([
    ["--dir with --global", ["--dir", "x", "--global"], {}, "CONFLICTING_OPTIONS"],
    ["an unknown remote", ["--remote", "nope"], {}, "UNKNOWN_REMOTE"],
    ["no remote-gateway on PATH", [], { PATH: cleanEnv(dir)["PATH"] ?? "" }, "SKILL_BIN_NOT_FOUND"],
    ["a --bin that is not an executable file", ["--bin", "/"], {}, "SKILL_BIN_NOT_FOUND"],
    ["a bin outside the skill package", ["--bin", process.execPath], {}, "SKILL_PACKAGE_NOT_FOUND"],
  ] as const)("refuses %s (exit 2) and writes nothing", async (_label, args, extraEnv, code) => {
    const target = join(dir, `refused-${code}`);
    const dirArgs = (args as readonly string[]).includes("--dir") ? [] : ["--dir", target];
    const result = await runClawbridge(["skill", "install", "--json", ...args, ...dirArgs], {
      env: { ...env, ...extraEnv },
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(json(result)).toMatchObject({ ok: false, error: { code } });
    expect(existsSync(target)).toBe(false);
  });
});

describe("clawbridge skill doctor", () => {
  it("passes when the bin is on PATH and every remote resolves its secret and connects", async () => {
    const result = await runClawbridge(["skill", "doctor", "--remote", "gw2", "--json"], { env, cwd: dir });
    expect(result.code, result.stdout).toBe(0);
    const out = json<{ ok: boolean; bin: { realPath: string }; remotes: Array<Record<string, unknown>> }>(result);
    expect(out.ok).toBe(true);
    expect(out.bin.realPath).toBe(await realpath(SKILL_BIN));
    expect(out.remotes[0]).toMatchObject({ id: "gw2", ok: true, stage: "done", role: "operator", scopes: ["operator.read"], secret: { token: { kind: "env", name: "GW2_TOKEN" } } });
    expect(typeof out.remotes[0]?.["rttMs"]).toBe("number");
    expect(result.stdout).not.toContain(TOKEN);
  });

  it("fails with the failing check's exit code: unresolvable secret (2), unreachable remote (3)", async () => {
    const missing = await runClawbridge(["skill", "doctor", "--json"], { env, cwd: dir });
    expect(missing.code).toBe(2);
    const out = json<{ ok: boolean; remotes: Array<{ id: string; ok: boolean; stage: string }> }>(missing);
    expect(out.ok).toBe(false);
    expect(out.remotes.find((remote) => remote.id === "lab")).toMatchObject({ ok: false, stage: "secret" });

    await writeRemotes(dir, {
      gw2: { url: gateway.url, auth: { tokenEnv: "GW2_TOKEN" }, skill: { allowInvoke: ["canvas.snapshot"] } },
      lab: { url: gateway.url, auth: { tokenFile: "lab.token", passwordEnv: "LAB_PASSWORD" } },
      down: { url: `ws://127.0.0.1:${await unusedPort()}`, auth: { tokenEnv: "GW2_TOKEN" } },
    });
    const down = await runClawbridge(["skill", "doctor", "--remote", "down", "--timeout", "3000"], { env, cwd: dir });
    expect(down.code).toBe(3);
    expect(down.stdout).toMatch(/FAIL remote down: connect failed/);
  });

  it("fails (exit 2) when remote-gateway is not on PATH", async () => {
    const result = await runClawbridge(["skill", "doctor", "--remote", "gw2"], { env: { ...env, PATH: cleanEnv(dir)["PATH"] ?? "" }, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/FAIL remote-gateway: not found on PATH/);
    expect(result.stdout).toMatch(/ok {3}remote gw2/);
  });
});

import { describe, expect, it } from "vitest";
import {
  LogRing,
  buildChildEnv,
  entryMatches,
  nodeCommandRejection,
  resolveExecutable,
  resolveNodeCommandAllowlist,
  resolveNodePairingCommandAllowlist,
  runSystemRun,
} from "../src/index.js";

describe("exec allowlist", () => {
  const onPath = resolveExecutable("node", process.cwd(), process.env["PATH"]);
  const absolute = resolveExecutable(process.execPath, process.cwd(), process.env["PATH"]);

  it("bare-name patterns match only PATH-invoked commands", () => {
    expect(onPath.viaPath).toBe(true);
    expect(entryMatches({ pattern: "node" }, onPath, [])).toBe(onPath.path !== undefined);
    expect(entryMatches({ pattern: "no*" }, onPath, [])).toBe(onPath.path !== undefined);
    expect(entryMatches({ pattern: "node" }, absolute, [])).toBe(false);
  });

  it("path patterns glob over the resolved absolute path", () => {
    const dir = process.execPath.slice(0, process.execPath.lastIndexOf("/"));
    expect(entryMatches({ pattern: `${dir}/*` }, absolute, [])).toBe(true);
    expect(entryMatches({ pattern: "/nonexistent/*" }, absolute, [])).toBe(false);
    expect(resolveExecutable("./bin/tool", "/work", undefined).path).toBe("/work/bin/tool");
  });

  it("argPattern is a regex over argv[1..] joined by single spaces; invalid regex never matches", () => {
    expect(entryMatches({ pattern: process.execPath, argPattern: "^--version$" }, absolute, ["--version"])).toBe(true);
    expect(entryMatches({ pattern: process.execPath, argPattern: "^--version$" }, absolute, ["--version", "x"])).toBe(false);
    expect(entryMatches({ pattern: process.execPath, argPattern: "^a b$" }, absolute, ["a", "b"])).toBe(true);
    expect(entryMatches({ pattern: process.execPath, argPattern: "(" }, absolute, [])).toBe(false);
  });
});

describe("system.run", () => {
  it("spawns without a shell (metacharacters are plain arguments)", async () => {
    const outcome = await runSystemRun(
      { command: [process.execPath, "-e", "process.stdout.write(process.argv[1])", "$(echo hi); rm -rf /"] },
      { security: "full", allowlist: [], env: process.env },
    );
    expect(outcome).toEqual({ ok: true, payload: { exitCode: 0, stdout: "$(echo hi); rm -rf /", stderr: "", timedOut: false } });
  });

  it("deny and unknown commands", async () => {
    expect(await runSystemRun({ command: ["true"] }, { security: "deny", allowlist: [], env: process.env })).toMatchObject({
      ok: false,
      error: { message: "SYSTEM_RUN_DISABLED: security=deny" },
    });
    expect(await runSystemRun({ command: [] }, { security: "full", allowlist: [], env: process.env })).toMatchObject({
      ok: false,
      error: { code: "INVALID_REQUEST" },
    });
    expect(
      await runSystemRun({ command: ["definitely-not-a-command-xyz"] }, { security: "full", allowlist: [], env: process.env }),
    ).toMatchObject({ ok: false, error: { message: expect.stringContaining("command not found") } });
  });

  it("keeps only safe request env keys", () => {
    const env = buildChildEnv(
      { PATH: "/usr/bin", HOME: "/home/n" },
      { PATH: "/evil", LANG: "C", LC_ALL: "C", NODE_OPTIONS: "--x", LD_PRELOAD: "x", TERM: 5, NO_COLOR: "1" },
    );
    expect(env).toEqual({ PATH: "/usr/bin", HOME: "/home/n", LANG: "C", LC_ALL: "C", NO_COLOR: "1" });
  });
});

describe("node command policy", () => {
  it("platform defaults, approved desktop commands, allow/deny and dangerous defaults", () => {
    // Platform defaults without desktop-host commands, plus the bundled Ollama plugin's commands.
    expect([...resolveNodeCommandAllowlist("linux", [])].sort()).toEqual(["computer.act", "ollama.chat", "ollama.models", "system.notify"]);
    // OpenClaw requires the device family to match an exact platform id.
    expect([...resolveNodeCommandAllowlist("linux", [], {}, "Windows")].sort()).toEqual(["camera.list", "location.get", "system.notify"]);
    // What pairing may grant: desktop-host commands too, but nothing a real node host declares beyond them.
    const grantable = resolveNodePairingCommandAllowlist("linux", {}, "Linux");
    expect(grantable.has("system.run") && grantable.has("ollama.chat") && !grantable.has("file.write")).toBe(true);
    expect(resolveNodeCommandAllowlist("linux", ["system.run"]).has("system.run")).toBe(true);
    expect(resolveNodeCommandAllowlist("linux", [], { allow: ["camera.snap"] }).has("camera.snap")).toBe(true);
    expect(resolveNodeCommandAllowlist("linux", ["system.run"], { deny: ["system.run"] }).has("system.run")).toBe(false);
    const allowlist = resolveNodeCommandAllowlist("linux", []);
    expect(nodeCommandRejection("camera.snap", "linux", ["camera.snap"], allowlist)?.message).toBe(
      'node command not allowed: "camera.snap" requires explicit gateway.nodes.commands.allow opt-in',
    );
    expect(nodeCommandRejection("system.notify", "linux", ["system.run"], allowlist)?.message).toBe(
      'node command not allowed: the node (platform: linux) does not support "system.notify"',
    );
    expect(nodeCommandRejection("system.notify", "linux", ["system.notify"], allowlist)).toBeUndefined();
  });
});

describe("log ring", () => {
  it("tails by byte cursor, truncates by limit, resets past the end", () => {
    const ring = new LogRing("/tmp/x.log", 3);
    for (const msg of ["a", "b", "c", "d"]) ring.append(msg);
    const all = ring.tail(undefined);
    expect(all.lines).toEqual(["b", "c", "d"]);
    expect(ring.tail(0).skippedBytes).toBe(2);
    const limited = ring.tail(undefined, 2);
    expect(limited.lines).toEqual(["c", "d"]);
    const first = ring.tail(2, 1);
    expect(first).toMatchObject({ lines: ["b"], truncated: true, cursor: 4 });
    expect(ring.tail(999)).toMatchObject({ reset: true });
  });
});

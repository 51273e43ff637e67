import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AGENT_DENY_PATTERNS } from "@clawbridge/protocol";
import { describe, expect, it } from "vitest";
import { SKILL_NAME, skillSourceDir } from "../src/skill-files.js";
import { OUTBOUND_MESSAGE_METHODS, SESSION_MESSAGE_METHODS } from "../src/skill-policy.js";
import { VERB_NAMES } from "../src/verbs.js";
import { parseSkillMarkdown, SkillFrontmatter } from "./helpers/skill-format.js";

const packageJson = JSON.parse(readFileSync(resolve(import.meta.dirname, "../package.json"), "utf8")) as {
  name: string;
  bin: Record<string, string>;
  files: string[];
};
const skillDir = skillSourceDir();
const text = readFileSync(join(skillDir, "SKILL.md"), "utf8");
const { frontmatter, body } = parseSkillMarkdown(text);
const bundledSkills = resolve(import.meta.dirname, "../../../.cache/interop/node_modules/openclaw/skills");

describe("SKILL.md", () => {
  it("has frontmatter in OpenClaw's documented format", () => {
    const parsed = SkillFrontmatter.parse(frontmatter);
    expect(parsed.name).toBe(SKILL_NAME);
    // creating-skills.md: keep the description one line and under 160 characters (it costs prompt budget).
    expect(parsed.description.length).toBeLessThan(160);
  });

  it("is named like its folder (node-hosted skills require it) and lives in the published files", () => {
    expect(skillDir.endsWith(`/skill/${SKILL_NAME}`)).toBe(true);
    expect(packageJson.files).toContain("skill");
  });

  it("gates on the remote-gateway bin and installs it from this npm package", () => {
    const meta = SkillFrontmatter.parse(frontmatter).metadata?.openclaw;
    expect(meta?.requires?.bins).toEqual(Object.keys(packageJson.bin));
    expect(meta?.install).toEqual([
      expect.objectContaining({ kind: "node", package: packageJson.name, bins: Object.keys(packageJson.bin) }),
    ]);
    // A single relay credential would warrant primaryEnv; per-remote secrets stay in remote profiles.
    expect(meta?.primaryEnv).toBeUndefined();
  });

  it("writes metadata as a JSON-ish flow mapping, as bundled skills do (OpenClaw re-parses it as JSON5)", () => {
    const block = /^metadata:\s*\n\s*\{[\s\S]*\n\s*\}\s*$/m.exec(text.split(/\n---\n/, 1)[0] ?? "");
    expect(block).not.toBeNull();
    expect(text).toMatch(/^\s+"openclaw":/m);
  });

  it("teaches every verb, in the argument order the exec allowlist requires", () => {
    for (const verb of VERB_NAMES) expect(body, verb).toMatch(new RegExp(`\`(remote-gateway )?${verb}\\b`));
    expect(body).toContain("remote-gateway <verb> <remote_id> [args...] [--params '<json>'] [--timeout <ms>]");
  });

  it("opens with secret-safety rules (no tokens asked for, printed or read; ids only; no verbose mode)", () => {
    const safety = body.slice(body.indexOf("## Secret safety"), body.indexOf("## How to run it"));
    expect(safety).toMatch(/by its id only/);
    expect(safety).toMatch(/Never ask the user to paste a gateway token/);
    expect(safety).toMatch(/Never read, print/);
    expect(safety).toMatch(/no verbose or debug mode/);
    expect(body.indexOf("## Secret safety")).toBeLessThan(body.indexOf("## Verbs"));
  });

  it("names every method family call refuses as administrative or approval (ADMIN_METHOD_REFUSED)", () => {
    const notes = body.slice(body.indexOf("ADMIN_METHOD_REFUSED") - 200, body.indexOf("## Output"));
    expect(notes).toContain("ADMIN_METHOD_REFUSED");
    for (const pattern of AGENT_DENY_PATTERNS) expect(notes, pattern).toContain(`\`${pattern}\``);
  });

  it("names exactly the message methods call refuses (MESSAGE_METHOD_REFUSED)", () => {
    const start = body.indexOf("MESSAGE_METHOD_REFUSED");
    const notes = body.slice(start, body.indexOf("## Output"));
    expect(start).toBeGreaterThan(0);
    for (const method of [...SESSION_MESSAGE_METHODS, ...OUTBOUND_MESSAGE_METHODS, "sessions.create"]) expect(notes, method).toContain(`\`${method}\``);
    // No "..." or "etc.": the list is the list.
    expect(notes.slice(0, notes.indexOf("Use your own"))).not.toMatch(/\.\.\.|etc\./);
  });

  it("documents every exit code of the bin", () => {
    for (const code of [1, 2, 3, 4, 5, 6, 7]) expect(body).toMatch(new RegExp(`^\\| ${code} +\\|`, "m"));
    // Stopped by system.run's timeout (or a person): the agent must check requestSent before repeating.
    expect(/^\| 130, 143 +\|.*$/m.exec(body)?.[0]).toContain("requestSent");
    // A verb beyond the profile's scope ceiling is exit 2 SCOPE_CEILING: the agent must recognise it.
    expect(/^\| 2 +\|.*$/m.exec(body)?.[0]).toContain("SCOPE_CEILING");
  });

  it.skipIf(!existsSync(bundledSkills))("uses a schema that accepts every bundled OpenClaw 2026.9.6 skill (it is not stricter than reality)", () => {
    const names = readdirSync(bundledSkills).filter((name) => existsSync(join(bundledSkills, name, "SKILL.md")));
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      const result = SkillFrontmatter.safeParse(parseSkillMarkdown(readFileSync(join(bundledSkills, name, "SKILL.md"), "utf8")).frontmatter);
      expect(result.success, `${name}: ${result.error?.message ?? ""}`).toBe(true);
    }
  });

  it("rejects what the docs forbid (the schema can fail)", () => {
    const valid = SkillFrontmatter.parse(frontmatter);
    const bad: unknown[] = [
      { ...valid, name: "Remote_Gateway" },
      { ...valid, description: "two\nlines" },
      { ...valid, metadata: { openclaw: { requires: { bins: "remote-gateway" } } } },
      { ...valid, metadata: { openclaw: { install: [{ id: "node", kind: "node", bins: ["remote-gateway"], label: "x" }] } } },
      { ...valid, metadata: { openclaw: { install: [{ id: "x", kind: "pip", package: "y", bins: ["y"], label: "x" }] } } },
      { ...valid, metadata: { openclaw: { requries: { bins: ["x"] } } } },
    ];
    for (const item of bad) expect(SkillFrontmatter.safeParse(item).success, JSON.stringify(item)).toBe(false);
  });
});

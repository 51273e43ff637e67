import { parse as parseYaml } from "yaml";
import * as z from "zod";

/**
 * OpenClaw's SKILL.md frontmatter as documented for 2026.9.6 (`docs/tools/skills.md`
 * "SKILL.md format" + "Gating" + "Installer specs", `docs/tools/creating-skills.md`
 * "SKILL.md reference"). Closed objects: a typo'd key fails instead of being ignored.
 */
const Slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "lowercase letters, digits and hyphens");
const OneLine = z.string().min(1).refine((text) => !/[\r\n]/.test(text), "must be one line");
const Os = z.enum(["darwin", "linux", "win32"]);
const Names = z.array(z.string().min(1));

/** `metadata.openclaw.install[]`: `{id, kind, formula|package|module|url, bins, label, os?}` plus download extras. */
export const InstallSpec = z
  .strictObject({
    id: z.string().min(1),
    kind: z.enum(["brew", "node", "go", "uv", "download"]),
    label: z.string().min(1),
    bins: Names.min(1).optional(),
    formula: z.string().min(1).optional(),
    /** Homebrew tap (not in the docs, but bundled skills use it). */
    tap: z.string().min(1).optional(),
    package: z.string().min(1).optional(),
    module: z.string().min(1).optional(),
    url: z.string().min(1).optional(),
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/).optional(),
    archive: z.enum(["tar.gz", "tar.bz2", "zip"]).optional(),
    extract: z.boolean().optional(),
    stripComponents: z.int().min(0).optional(),
    targetDir: z.string().min(1).optional(),
    os: z.array(Os).optional(),
  })
  .superRefine((spec, ctx) => {
    const needs: Record<string, keyof typeof spec> = { brew: "formula", node: "package", download: "url" };
    const key = needs[spec.kind];
    if (key !== undefined && spec[key] === undefined) ctx.addIssue({ code: "custom", message: `${spec.kind} installer needs ${key}` });
  });

/** `metadata.openclaw`: gating and installer hints. */
export const OpenClawMetadata = z.strictObject({
  emoji: z.string().optional(),
  homepage: z.string().optional(),
  always: z.boolean().optional(),
  os: z.array(Os).optional(),
  primaryEnv: z.string().optional(),
  skillKey: z.string().optional(),
  requires: z
    .strictObject({ bins: Names.optional(), anyBins: Names.optional(), env: Names.optional(), config: Names.optional() })
    .optional(),
  install: z.array(InstallSpec).optional(),
});

/** Top-level frontmatter keys. */
export const SkillFrontmatter = z.strictObject({
  name: Slug,
  description: OneLine,
  homepage: z.string().optional(),
  "user-invocable": z.boolean().optional(),
  "disable-model-invocation": z.boolean().optional(),
  "command-dispatch": z.literal("tool").optional(),
  "command-tool": z.string().optional(),
  "command-arg-mode": z.literal("raw").optional(),
  license: z.string().optional(),
  "allowed-tools": z.unknown().optional(),
  metadata: z.strictObject({ openclaw: OpenClawMetadata }).optional(),
});
export type SkillFrontmatter = z.infer<typeof SkillFrontmatter>;

/** Splits a SKILL.md into its YAML frontmatter (parsed) and markdown body. */
export function parseSkillMarkdown(text: string): { frontmatter: unknown; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(text);
  if (match === null) throw new Error("SKILL.md has no --- frontmatter block");
  return { frontmatter: parseYaml(match[1] ?? "") as unknown, body: match[2] ?? "" };
}

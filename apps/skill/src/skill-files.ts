import { fileURLToPath } from "node:url";

/** The skill's `name` (frontmatter), its folder name and its `skills.entries` key. */
export const SKILL_NAME = "remote-gateway";

/**
 * Absolute path of the packaged skill folder (`<package>/skill/remote-gateway`, holding
 * `SKILL.md`). Resolved from this module's location, which is one level below the
 * package root both in `src/` (tests) and in `dist/` (installed package).
 */
export function skillSourceDir(): string {
  return fileURLToPath(new URL(`../skill/${SKILL_NAME}`, import.meta.url));
}

import { cp, lstat, mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { SKILL_NAME, skillSourceDir } from "./skill-files.js";

/** Where {@link installSkillFolder} put the skill. */
export interface InstalledSkill {
  /** Absolute path of the installed skill folder (`<skillsDir>/remote-gateway`). */
  readonly path: string;
  /** Whether an earlier copy was replaced. */
  readonly replaced: boolean;
  /** Directories that did not exist and were created for the skills dir, outermost first (empty when it existed). */
  readonly createdDirs: readonly string[];
}

/**
 * Copies the packaged skill folder into `<skillsDir>/remote-gateway`, replacing an
 * earlier copy (an upgrade must not leave stale files behind). A plain copy, no
 * symlink: OpenClaw rejects workspace skill symlinks that leave their root.
 *
 * @param skillsDir - an OpenClaw skills root, e.g. `<workspace>/skills` or `~/.openclaw/skills`;
 *   created if missing, with any missing parents — every directory created is returned in
 *   {@link InstalledSkill.createdDirs}, so the caller can say so (a mistyped path must not
 *   be built silently)
 */
export async function installSkillFolder(skillsDir: string): Promise<InstalledSkill> {
  const root = resolve(skillsDir);
  const path = join(root, SKILL_NAME);
  let replaced = false;
  try {
    await lstat(path);
    replaced = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const createdDirs = await missingAncestors(root);
  await mkdir(root, { recursive: true });
  if (replaced) await rm(path, { recursive: true, force: true });
  await cp(skillSourceDir(), path, { recursive: true, errorOnExist: true, force: false });
  return { path, replaced, createdDirs };
}

/** `dir` and its ancestors that do not exist yet, outermost first. */
async function missingAncestors(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    try {
      await lstat(current);
      return missing;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      missing.unshift(current);
    }
    if (dirname(current) === current) return missing;
  }
}

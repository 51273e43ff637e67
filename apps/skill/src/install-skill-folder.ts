import { cp, lstat, mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { SKILL_NAME, skillSourceDir } from "./skill-files.js";

/** Where {@link installSkillFolder} put the skill. */
export interface InstalledSkill {
  /** Absolute path of the installed skill folder (`<skillsDir>/remote-gateway`). */
  readonly path: string;
  /** Whether an earlier copy was replaced. */
  readonly replaced: boolean;
}

/**
 * Copies the packaged skill folder into `<skillsDir>/remote-gateway`, replacing an
 * earlier copy (an upgrade must not leave stale files behind). A plain copy, no
 * symlink: OpenClaw rejects workspace skill symlinks that leave their root.
 *
 * @param skillsDir - an OpenClaw skills root, e.g. `<workspace>/skills` or `~/.openclaw/skills`; created if missing
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
  await mkdir(root, { recursive: true });
  if (replaced) await rm(path, { recursive: true, force: true });
  await cp(skillSourceDir(), path, { recursive: true, errorOnExist: true, force: false });
  return { path, replaced };
}

import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join, basename } from "node:path";

/** Mode of files holding keys, tokens or profiles: owner read/write only. */
export const SECRET_FILE_MODE = 0o600;
/** Mode of directories holding them: owner only. */
export const SECRET_DIR_MODE = 0o700;

/** Sets mode 0600 on `path` (no-op on Windows, where POSIX modes do not apply). */
export async function chmodPrivate(path: string): Promise<void> {
  if (process.platform !== "win32") await chmod(path, SECRET_FILE_MODE);
}

/** Creates `dir` (and parents) with mode 0700; tightens an existing one to 0700 on POSIX. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: SECRET_DIR_MODE });
  if (process.platform !== "win32") await chmod(dir, SECRET_DIR_MODE);
}

/**
 * Writes `content` to `path` atomically: a temp file (mode 0600) in the same directory
 * is written, fsynced and renamed over the target, so a crash never leaves a torn key
 * or token file and readers see either the old or the new content. The parent
 * directory is created with mode 0700.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const dir = dirname(path);
  await ensurePrivateDir(dir);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", SECRET_FILE_MODE);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // The umask may have widened the create mode; be explicit.
    await chmodPrivate(temp);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Reads a UTF-8 file, or returns undefined when it does not exist. */
export async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Deletes a file; a missing file is not an error. */
export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** The permission bits (`mode & 0o777`) of `path`. */
export async function fileMode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

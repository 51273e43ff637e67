import { mkdirSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";

/** Isolated per-process folders of one OpenClaw process (gateway, node host or CLI). */
export interface OpenClawPaths {
  /** `HOME` of the process. */
  readonly homeDir: string;
  /** `OPENCLAW_STATE_DIR`. */
  readonly stateDir: string;
  /** `OPENCLAW_CONFIG_PATH` (the file may not exist). */
  readonly configPath: string;
}

/** Parent variables passed through; everything else (notably any `OPENCLAW_*` secret) is dropped. */
const PASSTHROUGH = ["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "USER", "LOGNAME", "SHELL"] as const;

/** Creates `homeDir`, `stateDir` and the config file's folder. */
export function createOpenClawPaths(root: string): OpenClawPaths {
  const paths: OpenClawPaths = {
    homeDir: join(root, "home"),
    stateDir: join(root, "state"),
    configPath: join(root, "config", "openclaw.json"),
  };
  mkdirSync(paths.homeDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  mkdirSync(dirname(paths.configPath), { recursive: true, mode: 0o700 });
  return paths;
}

/**
 * Environment for an OpenClaw child process: an allowlist of harmless parent variables, `PATH`
 * with Node 24 first (OpenClaw's scripts run `node` from PATH), isolated `HOME`/XDG dirs,
 * `OPENCLAW_STATE_DIR`, `OPENCLAW_CONFIG_PATH`, no colours, no auto-update, no Bonjour; then
 * `extra` (which may carry credentials such as `OPENCLAW_GATEWAY_TOKEN`).
 */
export function isolatedEnv(paths: OpenClawPaths, node24: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of PASSTHROUGH) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  env["PATH"] = `${dirname(node24)}${delimiter}${env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"}`;
  env["HOME"] = paths.homeDir;
  env["XDG_CONFIG_HOME"] = join(paths.homeDir, ".config");
  env["XDG_DATA_HOME"] = join(paths.homeDir, ".local", "share");
  env["XDG_CACHE_HOME"] = join(paths.homeDir, ".cache");
  env["XDG_STATE_HOME"] = join(paths.homeDir, ".local", "state");
  env["OPENCLAW_STATE_DIR"] = paths.stateDir;
  env["OPENCLAW_CONFIG_PATH"] = paths.configPath;
  env["OPENCLAW_NO_AUTO_UPDATE"] = "1";
  env["OPENCLAW_DISABLE_BONJOUR"] = "1";
  env["NO_COLOR"] = "1";
  return { ...env, ...extra };
}

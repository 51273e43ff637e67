import envPaths from "env-paths";

/** Environment variable that overrides the config directory (tests, containers). */
export const CONFIG_DIR_ENV = "CLAWBRIDGE_CONFIG_DIR";

/** Options of {@link resolveConfigDir}. */
export interface ConfigDirOptions {
  /** Explicit directory; wins over everything. */
  configDir?: string | undefined;
  /** Environment to read `CLAWBRIDGE_CONFIG_DIR` from. Default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * The directory holding `remotes.json` and per-remote device state: `configDir` option,
 * else `$CLAWBRIDGE_CONFIG_DIR`, else the platform config dir from `env-paths`
 * (`$XDG_CONFIG_HOME/clawbridge`, `~/.config/clawbridge` on Linux,
 * `~/Library/Preferences/clawbridge` on macOS, `%APPDATA%\clawbridge\Config` on Windows).
 */
export function resolveConfigDir(options: ConfigDirOptions = {}): string {
  if (options.configDir !== undefined && options.configDir.length > 0) return options.configDir;
  const fromEnv = (options.env ?? process.env)[CONFIG_DIR_ENV];
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv;
  return envPaths("clawbridge", { suffix: "" }).config;
}

import envPaths from "env-paths";
import type { LoadedConfig } from "./config/load-config.js";
import { resolveConfigPath } from "./config/load-config.js";

/** Environment variable naming the relay's state dir when the config does not. */
export const STATE_DIR_ENV = "CLAWBRIDGE_RELAY_STATE_DIR";

/**
 * Where the relay keeps its upstream device identities and device tokens: `stateDir`
 * from the config (relative to the config file), else `$CLAWBRIDGE_RELAY_STATE_DIR`,
 * else the platform data dir (`~/.local/share/clawbridge-relay` on Linux).
 */
export function resolveStateDir(loaded: LoadedConfig, env: NodeJS.ProcessEnv = process.env): string {
  if (loaded.config.stateDir !== undefined) return resolveConfigPath(loaded, loaded.config.stateDir);
  const fromEnv = env[STATE_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return envPaths("clawbridge-relay", { suffix: "" }).data;
}

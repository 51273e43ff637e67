import { accessSync, constants, readFileSync, realpathSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";

/** Absolute, symlink-free paths of the built bins the demo runs. */
export interface DemoBins {
  /** `apps/cli/dist/bin/clawbridge` (bundled, `#!/usr/bin/env node`, mode 0755). */
  readonly clawbridge: string;
  /** `apps/skill/dist/bin/remote-gateway`. */
  readonly remoteGateway: string;
  /** `apps/relay/dist/main.js`. */
  readonly relay: string;
}

/** This package's folder (one level above `src/` and `dist/`). */
const PACKAGE_DIR = resolve(import.meta.dirname, "..");

/**
 * The real file behind `bin[binName]` of a workspace dependency. Resolved through this
 * package's `node_modules` symlink and `realpath`, never through the `.bin/` shim: an
 * exec allowlist matches the resolved executable, and a pnpm shim is a shell script
 * that would run `node` with the real file as an argument.
 */
export function workspaceBin(packageName: string, binName: string): string {
  const packageDir = realpathSync(join(PACKAGE_DIR, "node_modules", ...packageName.split("/")));
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { bin?: string | Record<string, string> };
  const relative = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.[binName];
  if (relative === undefined) throw new Error(`${packageName} declares no bin "${binName}"`);
  return join(packageDir, relative);
}

/** Whether `path` exists and is executable by us. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Paths of the three bins (they may not be built yet: see {@link missingBins}). */
export function demoBins(): DemoBins {
  return {
    clawbridge: workspaceBin("@clawbridge/cli", "clawbridge"),
    remoteGateway: workspaceBin("@clawbridge/skill", "remote-gateway"),
    relay: workspaceBin("@clawbridge/relay", "clawbridge-relay"),
  };
}

/** The bins of `bins` that are not built (or not executable), as `name: path` strings. */
export function missingBins(bins: DemoBins): string[] {
  return Object.entries(bins)
    .filter(([, path]) => !isExecutable(path))
    .map(([name, path]) => `${name}: ${path}`);
}

/**
 * `PATH` with this Node's folder first: the bins start with `#!/usr/bin/env node` and
 * need a Node >= 20.19, whatever else the machine has on PATH.
 */
export function pathWithCurrentNode(basePath: string | undefined = process.env["PATH"]): string {
  return `${dirname(process.execPath)}${delimiter}${basePath ?? "/usr/local/bin:/usr/bin:/bin"}`;
}

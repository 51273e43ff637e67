import { readdirSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineProject } from "vitest/config";

const root = import.meta.dirname;

/**
 * Workspace packages resolve to their TypeScript sources in tests, so a change in
 * `packages/protocol/src` is seen by every other package's tests without a rebuild.
 * Spawned bins (real child processes) still run the built `dist/` output.
 */
export function workspaceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  const dir = join(root, "packages");
  for (const name of readdirSync(dir)) {
    const entry = join(dir, name, "src", "index.ts");
    if (existsSync(entry)) aliases[`@clawbridge/${name}`] = entry;
  }
  return aliases;
}

/** The per-package vitest project: `test/**\/*.test.ts` under the package folder. */
export function packageProject(packageDir: string) {
  return defineProject({
    resolve: { alias: workspaceAliases() },
    test: {
      name: resolve(packageDir).slice(root.length + 1),
      root: packageDir,
      include: ["test/**/*.test.ts"],
      testTimeout: 20_000,
      hookTimeout: 30_000,
    },
  });
}

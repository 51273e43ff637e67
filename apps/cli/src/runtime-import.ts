/** Where the bin's launcher puts its own `import()` (tools/compile-cache-launcher.cjs). */
const LAUNCHER_IMPORT = Symbol.for("clawbridge.launcher.import");

/**
 * `import()` of a module whose location is known only at run time (e.g. the installed
 * `@clawbridge/skill` package). The bundled bin runs inside `vm.Script` (for its code
 * cache), where `import()` would need Node's experimental `--experimental-vm-modules`,
 * so the launcher hands in its own `import()`; unbundled (tsc output, tests) this is a
 * plain `import()`.
 */
export function importAtRuntime(url: string): Promise<unknown> {
  const launcherImport = (globalThis as Record<symbol, unknown>)[LAUNCHER_IMPORT];
  return typeof launcherImport === "function" ? (launcherImport as (url: string) => Promise<unknown>)(url) : import(url);
}

// Builds a bin (apps/cli, apps/skill) with esbuild as two files:
//   * the program: every workspace package and dependency in one CommonJS file
//     (dist/bundle/<name>.cjs), so a run resolves no modules across ~100 files;
//   * the bin itself (dist/bin/<name>, no extension, so dist/bin can go on PATH as is):
//     tools/compile-cache-launcher.cjs, which runs the program with a V8 code cache (see
//     that file for why and where the cache lives). dist/bin/package.json marks the
//     folder CommonJS, since the apps' own package.json says "type": "module".
// Start-up time is the product for both bins: WN1 pays it on every system.run. The
// published packages need no runtime dependencies.
//
// Sources import zod as `import * as z from "zod"` (zod 4's documented form): with a
// namespace import esbuild keeps only the zod exports that are used (~300 KB and ~30 ms of
// CPU per start less than `import { z }`, which binds every schema type and all locales).
import { createHash } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const LAUNCHER = fileURLToPath(new URL("compile-cache-launcher.cjs", import.meta.url));

/**
 * @param {typeof import("esbuild").build} build - the caller's esbuild (a dev dependency of
 *   each app; the repository root has none)
 * @param {{ root: string, entry: string, name: string }} options
 *   root: the package folder; entry: the program's entry module, relative to root; name:
 *   the command (dist/bin/<name>, dist/bundle/<name>.cjs, cache file names).
 */
export async function bundleBin(build, { root, entry, name }) {
  const binDir = join(root, "dist", "bin");
  const binPath = join(binDir, name);
  const programPath = join(root, "dist", "bundle", `${name}.cjs`);
  await mkdir(dirname(programPath), { recursive: true });
  await build({
    ...COMMON,
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: programPath,
    // Everything is bundled; only Node built-ins stay external (platform: node).
    packages: "bundle",
    format: "cjs",
    // `import("node:…")` becomes require(): the program runs inside vm.Script, where a
    // dynamic import() would need Node's experimental importModuleDynamically loader.
    supported: { "dynamic-import": false },
    plugins: [lazyBuiltins(LAZY_BUILTINS)],
  });
  const buildId = createHash("sha256").update(await readFile(programPath)).digest("hex").slice(0, 16);
  await mkdir(binDir, { recursive: true });
  await writeFile(join(binDir, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
  await build({
    ...COMMON,
    absWorkingDir: root,
    entryPoints: [LAUNCHER],
    outfile: binPath,
    format: "cjs",
    banner: { js: `#!/usr/bin/env node\n// ${name}: runs ../bundle/${name}.cjs (see clawbridge's tools/compile-cache-launcher.cjs)` },
    define: {
      __PROGRAM__: JSON.stringify(relative(binDir, programPath).split("\\").join("/")),
      __BUILD_ID__: JSON.stringify(buildId),
      __CACHE_NAME__: JSON.stringify(name),
    },
  });
  await chmod(binPath, 0o755);
}

/**
 * Built-ins that bundled code loads at start but rarely uses: commander requires
 * child_process at load (only for executable subcommands, which we do not have), and
 * child_process pulls in dgram, net internals and more, ~18 modules in all. Each is
 * replaced by a stand-in that requires the real module on first property access.
 * Only CommonJS `require()` stays lazy: esbuild copies an ES module's named imports out of
 * a CommonJS module at import (`__toESM`), which touches every property, so our own ESM
 * sources `import()` such a built-in where they use it (packages/client secret-source.ts).
 */
const LAZY_BUILTINS = ["child_process"];

/** esbuild plugin: `require("node:<name>")` / `import … from "<name>"` of these built-ins load on first use. */
function lazyBuiltins(names) {
  const filter = new RegExp(`^(node:)?(${names.join("|")})$`);
  return {
    name: "lazy-builtins",
    setup(builder) {
      builder.onResolve({ filter }, (args) =>
        args.namespace === "lazy-builtin" ? undefined : { path: args.path.replace(/^node:/, ""), namespace: "lazy-builtin" },
      );
      builder.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => ({
        loader: "js",
        contents: [
          "let real;",
          `const load = () => (real ??= require("node:${args.path}"));`,
          "module.exports = new Proxy({}, {",
          "  get: (_, key) => load()[key],",
          "  has: (_, key) => key in load(),",
          "  ownKeys: () => Reflect.ownKeys(load()),",
          "  getOwnPropertyDescriptor: (_, key) => ({ ...Reflect.getOwnPropertyDescriptor(load(), key), configurable: true }),",
          "});",
        ].join("\n"),
      }));
    },
  };
}

const COMMON = {
  bundle: true,
  platform: "node",
  target: "node20.19",
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: "none",
  sourcemap: false,
  logLevel: "warning",
};

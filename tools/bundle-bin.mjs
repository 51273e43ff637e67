// Builds a bin (apps/cli, apps/skill) with esbuild:
//   * the program: every workspace package and dependency in one CommonJS file
//     (dist/bundle/<name>.cjs), so a run resolves no modules across ~100 files, plus
//     optional side bundles for rarely run commands (see `separate` below);
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
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const LAUNCHER = fileURLToPath(new URL("compile-cache-launcher.cjs", import.meta.url));

/**
 * @param {typeof import("esbuild").build} build - the caller's esbuild (a dev dependency of
 *   each app; the repository root has none)
 * @param {{ root: string, entry: string, name: string, separate?: string[] }} options
 *   root: the package folder; entry: the program's entry module, relative to root; name:
 *   the command (dist/bin/<name>, dist/bundle/<name>.cjs, cache file names); separate:
 *   modules (relative to root) that the program only `import()`s for rarely run commands,
 *   each bundled into its own dist/bundle/<name>.<basename>.cjs, which the program
 *   requires when the command runs. Every run reads the whole program file (~14 µs per KB
 *   on our 2-core CI machine), so code that `gateway call` never runs — the mock gateway
 *   and the server under it, ~160 KB — stays out of it.
 */
export async function bundleBin(build, { root, entry, name, separate = [] }) {
  const binDir = join(root, "dist", "bin");
  const binPath = join(binDir, name);
  const bundleDir = join(root, "dist", "bundle");
  const programPath = join(bundleDir, `${name}.cjs`);
  await mkdir(bundleDir, { recursive: true });
  // Everything is bundled; only Node built-ins stay external (platform: node).
  const bundled = { ...COMMON, absWorkingDir: root, packages: "bundle", format: "cjs" };
  const lazy = lazyBuiltins(LAZY_BUILTINS);
  const sideFiles = new Map(separate.map((module) => [resolve(root, module), `${name}.${basename(module).replace(/\.[cm]?ts$/, "")}.cjs`]));
  for (const [module, file] of sideFiles) {
    await build({ ...bundled, entryPoints: [module], outfile: join(bundleDir, file), plugins: [lazy] });
  }
  await build({
    ...bundled,
    entryPoints: [entry],
    outfile: programPath,
    // `import("node:…")` becomes require(): the program runs inside vm.Script, where a
    // dynamic import() would need Node's experimental importModuleDynamically loader.
    supported: { "dynamic-import": false },
    plugins: [lazy, separateModules(sideFiles)],
    // The CommonJS module wrapper is part of the file, so the launcher hands V8 the file's
    // text as read: wrapping it at run time copied the whole source once more (~4 ms).
    banner: { js: PROGRAM_WRAPPER_START },
    footer: { js: PROGRAM_WRAPPER_END },
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
 * esbuild plugin: an import of one of `sideFiles`' modules becomes `require("./<file>")`
 * of its separately built bundle (the launcher's require resolves from the program's folder).
 */
function separateModules(sideFiles) {
  return {
    name: "separate-modules",
    setup(builder) {
      builder.onResolve({ filter: /^\./ }, (args) => {
        const file = sideFiles.get(resolve(args.resolveDir, args.path).replace(/\.js$/, ".ts"));
        return file === undefined ? undefined : { path: `./${file}`, external: true };
      });
    },
  };
}

/**
 * Built-ins that bundled code loads at start but rarely uses, each ~2 ms or more of start-up
 * that `gateway call` does not need: commander requires child_process at load (only for
 * executable subcommands, which we do not have), and child_process pulls in dgram, net
 * internals and more, ~18 modules in all; fs/promises serves profile, secret-file and
 * device-state reads, which a call with `--url` and a token from the environment never makes.
 */
const LAZY_BUILTINS = ["child_process", "fs/promises"];

/**
 * esbuild plugin: `require("node:<name>")` / `import … from "<name>"` of these built-ins
 * load the built-in on first use. Each becomes an ES module stand-in exporting, for every
 * function of the real module (listed from this Node at build time), a proxy that loads the
 * module when it is called, constructed or read from (so `util.promisify(execFile)` and
 * `instanceof` see the real function). An ES module, because esbuild hands an ES importer
 * of a CommonJS stand-in a copy of all its properties (`__toESM`), which would load it at
 * once. Non-function exports (fs/promises' `constants`) are left out: importing one fails
 * the build (take it from `node:fs`).
 */
function lazyBuiltins(names) {
  const filter = new RegExp(`^(node:)?(${names.join("|")})$`);
  const builtin = createRequire(import.meta.url);
  return {
    name: "lazy-builtins",
    setup(builder) {
      builder.onResolve({ filter }, (args) =>
        args.namespace === "lazy-builtin" ? undefined : { path: args.path.replace(/^node:/, ""), namespace: "lazy-builtin" },
      );
      builder.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => {
        const real = builtin(`node:${args.path}`);
        const functions = Object.keys(real).filter((key) => typeof real[key] === "function" && /^[A-Za-z_$][\w$]*$/.test(key));
        return {
          loader: "js",
          contents: [
            "let real;",
            `const load = () => (real ??= require("node:${args.path}"));`,
            "const lazy = (key) => new Proxy(function () {}, {",
            "  apply: (_, self, args) => Reflect.apply(load()[key], self, args),",
            "  construct: (_, args) => Reflect.construct(load()[key], args),",
            "  get: (_, property) => load()[key][property],",
            "});",
            ...functions.map((key) => `export const ${key} = /* @__PURE__ */ lazy(${JSON.stringify(key)});`),
          ].join("\n"),
        };
      });
    },
  };
}

// Kept in sync with tools/compile-cache-launcher.cjs, which calls the function this makes.
const PROGRAM_WRAPPER_START = "(function (exports, require, module, __filename, __dirname) {";
const PROGRAM_WRAPPER_END = "})";

const COMMON = {
  bundle: true,
  platform: "node",
  target: "node20.19",
  minifySyntax: true,
  minifyWhitespace: true,
  // Short local names: a third less text to read and a smaller code cache to load
  // (~9 ms less per run). No keepNames (its __name() calls cost more than they save):
  // nothing here depends on a function's or class's own name (error classes set `name`).
  minifyIdentifiers: true,
  legalComments: "none",
  sourcemap: false,
  logLevel: "warning",
};

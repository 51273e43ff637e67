// The bin of a bundled app (see tools/bundle-bin.mjs): it runs the bundled program (one
// CommonJS file) with a V8 code cache kept in the user's cache directory.
//
// Why: a short-lived CLI spends much of its life compiling JavaScript — parsing ~350 KB of
// bundle and lazily compiling every function it calls (zod's schema construction, the
// client, ws) — on every run, and WN1 pays that on every system.run. Node 22 has
// `module.enableCompileCache()` for this; Node 20 (which we support) has not, but every
// Node has V8's code cache through `vm.Script` (`cachedData`, `createCachedData()`). The
// cache is written once, after a run (so it holds the functions that run compiled, not
// only the top level), and read by every later run; V8 rejects data from another V8
// version or other flags, and the file name carries the program's content hash and the
// Node version, so a stale cache is never used: it is rewritten.
//
// Where: $CLAWBRIDGE_CACHE_DIR, else the platform cache dir (`$XDG_CACHE_HOME/clawbridge`,
// `~/.cache/clawbridge`, `~/Library/Caches/clawbridge`, `%LOCALAPPDATA%\clawbridge\Cache`),
// folder 0700, files 0600 (bytecode is code: only its owner may write it). Setting
// NODE_DISABLE_COMPILE_CACHE (Node's own switch) turns it off. Any failure to read or
// write the cache only costs speed, never the run.
//
// CommonJS on purpose: an ESM entry makes Node set up its ESM loader first (~6 ms more per
// run, measured). The three constants are replaced when tools/bundle-bin.mjs builds the bin.
/* global __PROGRAM__, __BUILD_ID__, __CACHE_NAME__ */
"use strict";
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const { homedir } = require("node:os");
const { createRequire } = require("node:module");
const { dirname, join } = require("node:path");
const { Script } = require("node:vm");

const programPath = join(__dirname, __PROGRAM__);
const source = readFileSync(programPath, "utf8");
const cacheFile = cacheFileOf(process.env, process.argv.slice(2));

let cachedData;
if (cacheFile !== undefined) {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet (or unreadable): compile from source and write one at exit.
  }
}
// The program file is one function expression, the CommonJS module wrapper
// (tools/bundle-bin.mjs writes it so), which is called below as Node calls a module's.
const script = new Script(source, { filename: programPath, cachedData });
if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
  process.once("exit", () => writeCache(cacheFile, script));
}
// `import()` inside vm.Script needs Node's experimental vm modules; the program reaches
// ESM known only at run time through this one (apps/cli/src/runtime-import.ts).
globalThis[Symbol.for("clawbridge.launcher.import")] = (specifier) => import(specifier);
const programModule = { exports: {} };
// The program requires Node built-ins and, for rare commands, its side bundles next to it.
script.runInThisContext()(programModule.exports, createRequire(programPath), programModule, programPath, dirname(programPath));

/** The cache file for this program, Node and command, or undefined when caching is off. */
function cacheFileOf(env, argv) {
  if (nonEmpty(env.NODE_DISABLE_COMPILE_CACHE)) return undefined;
  const dir = nonEmpty(env.CLAWBRIDGE_CACHE_DIR) ? env.CLAWBRIDGE_CACHE_DIR : platformCacheDir(env);
  if (dir === undefined) return undefined;
  // One cache per first word (`gateway`, `remote`, `list_nodes`, …): each holds the
  // functions its own command ran, so `gateway call` never starts from a `--help` cache.
  const word = argv.find((arg) => !arg.startsWith("-"));
  const command = word !== undefined && /^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(word) ? word : "default";
  return join(dir, `${__CACHE_NAME__}-${__BUILD_ID__}-${process.version}-${process.arch}-${command}.v8cache`);
}

function platformCacheDir(env) {
  let home;
  try {
    home = homedir();
  } catch {
    return undefined;
  }
  if (process.platform === "win32") return join(nonEmpty(env.LOCALAPPDATA) ? env.LOCALAPPDATA : join(home, "AppData", "Local"), "clawbridge", "Cache");
  if (process.platform === "darwin") return join(home, "Library", "Caches", "clawbridge");
  return join(nonEmpty(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(home, ".cache"), "clawbridge");
}

function nonEmpty(value) {
  return typeof value === "string" && value.length > 0;
}

/** Writes the cache atomically (temp file + rename) and drops caches of other builds. */
function writeCache(file, compiled) {
  const dir = dirname(file);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(temp, compiled.createCachedData(), { mode: 0o600 });
    renameSync(temp, file);
    for (const name of readdirSync(dir)) {
      if (name.startsWith(`${__CACHE_NAME__}-`) && !name.startsWith(`${__CACHE_NAME__}-${__BUILD_ID__}-`) && name.endsWith(".v8cache")) {
        rmSync(join(dir, name), { force: true });
      }
    }
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing more to do: the next run compiles from source again.
    }
  }
}

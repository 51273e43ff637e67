// Bundles the `clawbridge` bin into one ESM file (dist/clawbridge.mjs). Start-up time is
// the product (WN1 pays it on every system.run): one file means no module resolution
// across ~100 files of workspace packages and node_modules. See README "Start-up".
import { chmod, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * `import { z } from "zod"` binds zod's whole namespace object (every schema type, JSON
 * Schema conversion, ~40 locales), so a bundler must keep all of it; `import * as z from
 * "zod"` (zod 4's documented form) lets esbuild keep only what is used: ~300 KB less and
 * ~30 ms less CPU per start (measured, see README "Start-up"). Until the
 * workspace packages switch, rewrite that one import line in their built output.
 * Same bindings, same semantics: both name zod's exports as members of `z`.
 */
const zodNamespaceImport = {
  name: "zod-namespace-import",
  setup(build) {
    build.onLoad({ filter: /[\\/]packages[\\/][^\\/]+[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      const named = 'import { z } from "zod";';
      if (!text.includes(named)) return undefined;
      return { contents: text.replace(named, 'import * as z from "zod";'), loader: "js", resolveDir: dirname(args.path) };
    });
  },
};

const outfile = `${root}dist/clawbridge.mjs`;

await build({
  absWorkingDir: root,
  entryPoints: ["src/main.ts"],
  outfile,
  bundle: true,
  // Everything is bundled; only Node built-ins stay external (platform: node).
  packages: "bundle",
  platform: "node",
  format: "esm",
  target: "node20.19",
  // `ws` is CommonJS and calls require() for built-ins; give the ESM bundle a real require.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __clawbridgeCreateRequire } from "node:module";\nconst require = __clawbridgeCreateRequire(import.meta.url);',
  },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: "none",
  plugins: [zodNamespaceImport],
  sourcemap: false,
  logLevel: "warning",
});
await chmod(outfile, 0o755);

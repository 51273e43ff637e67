// Bundles the `remote-gateway` bin into one self-contained ESM file, dist/bin/remote-gateway
// (no extension: the name OpenClaw's `requires.bins` looks for, so dist/bin can go straight on
// PATH). WN1 pays the start-up on every system.run; one file avoids resolving ~100 modules of
// workspace packages and node_modules, and leaves the published package without runtime deps.
import { chmod, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

/** zod's `z` namespace re-exports every locale; we only use English (same plugin as apps/cli). */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(build) {
    build.onResolve({ filter: /[\\/]locales[\\/]index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: args.importer, namespace: "zod-locales" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: 'export { default as en } from "../locales/en.js";',
      resolveDir: dirname(args.path),
    }));
  },
};
const outfile = `${root}dist/bin/remote-gateway`;
await mkdir(dirname(outfile), { recursive: true });

await build({
  absWorkingDir: root,
  entryPoints: ["src/main.ts"],
  outfile,
  bundle: true,
  packages: "bundle",
  platform: "node",
  format: "esm",
  target: "node20.19",
  // `ws` is CommonJS and calls require() for built-ins; give the ESM bundle a real require.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __remoteGatewayCreateRequire } from "node:module";\nconst require = __remoteGatewayCreateRequire(import.meta.url);',
  },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: "none",
  plugins: [zodEnglishOnly],
  sourcemap: false,
  logLevel: "warning",
});
await chmod(outfile, 0o755);

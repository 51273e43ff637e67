// Builds the `clawbridge` bin: dist/bin/clawbridge runs dist/bundle/clawbridge.cjs with a
// V8 code cache. See tools/bundle-bin.mjs and the README's "Start-up" section.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { bundleBin } from "../../../tools/bundle-bin.mjs";

await bundleBin(build, {
  root: fileURLToPath(new URL("..", import.meta.url)),
  entry: "src/main.ts",
  name: "clawbridge",
  // `clawbridge mock-gateway` carries the mock gateway and the server package.
  separate: ["src/commands/mock-gateway.ts"],
});

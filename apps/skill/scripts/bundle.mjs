// Builds the `remote-gateway` bin: dist/bin/remote-gateway (the name OpenClaw's
// `requires.bins` looks for, so dist/bin can go straight on PATH) runs
// dist/bundle/remote-gateway.cjs with a V8 code cache (see tools/bundle-bin.mjs).
import { fileURLToPath, URL } from "node:url";
import { build } from "esbuild";
import { bundleBin } from "../../../tools/bundle-bin.mjs";

await bundleBin(build, { root: fileURLToPath(new URL("..", import.meta.url)), entry: "src/main.ts", name: "remote-gateway" });

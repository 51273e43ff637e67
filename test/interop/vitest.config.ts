import { resolve } from "node:path";
import { defineConfig } from "vitest/config";
import { workspaceAliases } from "../../vitest.shared.ts";

const here = import.meta.dirname;

/**
 * Interop suites against the real OpenClaw gateway (installed on demand into
 * `.cache/interop`). Files run one after another (each starts its own gateway, 15-30 s on
 * 2 cores); tests inside a file share that gateway.
 */
export default defineConfig({
  // In-process doubles (MockGateway) run from their TypeScript sources, as in the unit tests.
  resolve: { alias: workspaceAliases() },
  test: {
    name: "interop",
    root: here,
    include: ["**/*.interop.test.ts"],
    exclude: ["**/node_modules/**", ".scratch/**"],
    fileParallelism: false,
    // First run installs OpenClaw (~1-2 min), then a gateway start is 15-30 s.
    hookTimeout: 300_000,
    testTimeout: 90_000,
    teardownTimeout: 60_000,
    reporters: ["default", resolve(here, "../../tools/summary-reporter.ts")],
  },
});

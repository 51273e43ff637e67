import { mergeConfig } from "vitest/config";
import { packageProject } from "../../vitest.shared.ts";

// These tests spawn the built bin several times per test; give slow or loaded machines room
// (no test asserts on timing).
export default mergeConfig(packageProject(import.meta.dirname), { test: { testTimeout: 90_000, hookTimeout: 60_000 } });

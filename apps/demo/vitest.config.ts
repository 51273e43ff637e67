import { mergeConfig } from "vitest/config";
import { packageProject } from "../../vitest.shared.ts";

// These tests start gateways and spawn the built bins (several Node start-ups per test); give
// slow or loaded machines room. No test asserts on timing.
export default mergeConfig(packageProject(import.meta.dirname), { test: { testTimeout: 90_000, hookTimeout: 90_000 } });

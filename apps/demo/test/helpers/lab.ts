import { demoBins, missingBins } from "../../src/bin-paths.js";
import type { DemoBins } from "../../src/bin-paths.js";
import type { InvokeOutcome, SystemRunPayload } from "../../src/seed-lab.js";

/**
 * The built bins; throws a clear message when one a test needs is not built (`pnpm test`
 * builds everything first).
 *
 * @param needed - the bins the test file runs. Default: all three.
 */
export function builtBins(needed: ReadonlyArray<keyof DemoBins> = ["clawbridge", "remoteGateway", "relay"]): DemoBins {
  const bins = demoBins();
  const missing = missingBins(bins).filter((entry) => needed.some((name) => entry.startsWith(`${name}:`)));
  if (missing.length > 0) throw new Error(`not built (run pnpm build at the repository root): ${missing.join(", ")}`);
  return bins;
}

/** The `system.run` payload of a successful `node.invoke`, or a failure naming the error. */
export function payloadOf(outcome: InvokeOutcome): SystemRunPayload {
  if (!outcome.ok) throw new Error(`node.invoke failed: ${JSON.stringify(outcome.error)}`);
  return outcome.payload;
}

/** `payload.stdout` parsed: exactly one JSON document (ARCHITECTURE §4). */
export function stdoutJson<T = Record<string, unknown>>(payload: SystemRunPayload): T {
  return JSON.parse(payload.stdout) as T;
}

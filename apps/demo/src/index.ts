/**
 * `@clawbridge/demo`: the seed flow on two mock clusters with the real bins — the lab
 * (gateways, nodes, taps), the flows, the relay child process, and the report. The
 * `clawbridge-demo` bin (`pnpm demo`) and the E2E tests are built on it.
 */
export { relayAllowlistEntry, seedAllowlistEntry, escapeRegex } from "./allowlist-entries.js";
export { demoBins, isExecutable, missingBins, pathWithCurrentNode, workspaceBin } from "./bin-paths.js";
export type { DemoBins } from "./bin-paths.js";
export { childPids, signalChildren } from "./child-processes.js";
export { CleanupStack } from "./cleanup-stack.js";
export { runDemo } from "./demo-run.js";
export type { DemoOptions, DemoReport, GuardResult } from "./demo-run.js";
export { runFlow } from "./flow-run.js";
export type { FlowName, FlowResult, ListedNode } from "./flow-run.js";
export { FrameTap } from "./frame-tap.js";
export type { TapConnection, TappedFrame } from "./frame-tap.js";
export { hopTimings } from "./hop-timeline.js";
export type { HopTimings, InvokeWindow } from "./hop-timeline.js";
export { systemRunInvokeParams } from "./invoke-params.js";
export type { SystemRunInvokeParams } from "./invoke-params.js";
export { demoRelayConfig, startRelay } from "./relay-process.js";
export type { RelayProcess, StartRelayOptions } from "./relay-process.js";
export { formatReport } from "./report-format.js";
export { runProcess } from "./run-process.js";
export type { ProcessResult, RunProcessOptions } from "./run-process.js";
export { scanForSecrets } from "./secret-scan.js";
export type { SecretExposure } from "./secret-scan.js";
export { startSeedLab } from "./seed-lab.js";
export type { InvokeOutcome, SeedLab, SeedLabOptions, SystemRunPayload } from "./seed-lab.js";
export { installSkillOnWn1 } from "./skill-setup.js";
export type { SkillInstallReport } from "./skill-setup.js";

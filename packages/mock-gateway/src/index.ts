export { createDeviceIdentity, signDeviceProof } from "./device-identity.js";
export type { DeviceIdentity } from "./device-identity.js";
export { EventLoopStats } from "./event-loop-stats.js";
export { DEFAULT_EXEC_APPROVAL_TIMEOUT_MS, ExecApprovalQueue } from "./exec-approval-queue.js";
export type { PendingExecApproval } from "./exec-approval-queue.js";
export { entryMatches, isAllowlisted, resolveExecutable } from "./exec-allowlist.js";
export type { ExecAllowlistEntry, ResolvedExecutable } from "./exec-allowlist.js";
export { FaultInjector } from "./fault-injector.js";
export type { FaultRule } from "./fault-injector.js";
export { LogRing } from "./log-ring.js";
export type { LogTail } from "./log-ring.js";
export { MockGateway } from "./mock-gateway.js";
export type { MockGatewayOptions } from "./mock-gateway.js";
export { MockNode } from "./mock-node.js";
export type { MockNodeInvocation, MockNodeOptions, NodeCommandHandler } from "./mock-node.js";
export { MockState } from "./mock-state.js";
export type { MockAgent, MockSession } from "./mock-state.js";
export {
  ADMIN_APPROVAL_COMMANDS,
  BUNDLED_PLUGIN_NODE_COMMANDS,
  DANGEROUS_NODE_COMMANDS,
  DESKTOP_HOST_COMMANDS,
  canonicalPlatform,
  nodeCommandRejection,
  resolveNodeCommandAllowlist,
  resolveNodePairingCommandAllowlist,
} from "./node-command-policy.js";
export type { NodeCommandConfig } from "./node-command-policy.js";
export { NodeInvokeBroker, nodeErrorShape, nodeNotConnected, nodePairingChanged } from "./node-invoke-broker.js";
export type { NodeInvokeOutcome } from "./node-invoke-broker.js";
export { NodeRegistry } from "./node-registry.js";
export type { FakeNodeHandler, NodePairingRequest, NodeRecord } from "./node-registry.js";
export { PRESENCE_TTL_MS, PresenceRegistry } from "./presence-registry.js";
export type { PresenceOwner } from "./presence-registry.js";
export { buildChildEnv, isSafeRequestEnvKey } from "./safe-env.js";
export { SERVER_CAPABILITIES_2026_9_6 } from "./server-capabilities.js";
export { runSystemRun } from "./system-run.js";
export type { SystemRunOutcome, SystemRunOutput, SystemRunParams, SystemRunPolicy } from "./system-run.js";

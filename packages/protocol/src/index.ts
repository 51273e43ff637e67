export {
  AGENT_DENY_PATTERNS,
  APPROVAL_DECISION_METHODS,
  DEFAULT_DENY_PATTERNS,
  agentDenyPatternOf,
  defaultDenyPatternOf,
  matchingMethodPattern,
  methodPatternMatches,
} from "./admin-methods.js";
export { CloseCodes, truncateCloseReason } from "./close-codes.js";
export type { CloseCode } from "./close-codes.js";
export {
  GATEWAY_CLIENT_CAPS,
  GATEWAY_CLIENT_IDS,
  GATEWAY_CLIENT_MODES,
  Roles,
  platformIdentity,
} from "./client-info.js";
export type { GatewayClientId, GatewayClientMode, Role } from "./client-info.js";
export { ClientInfo, ConnectAuth, ConnectParams, DeviceProof, WorkerRunsClaim } from "./connect.js";
export { defineMethod } from "./define-method.js";
export { lazySchema } from "./lazy-schema.js";
export type { MethodDefinition, MethodParams, MethodResult } from "./define-method.js";
export {
  buildDeviceAuthPayloadV2,
  buildDeviceAuthPayloadV3,
  normalizeDeviceMetadata,
  signatureTokenOf,
} from "./device-auth.js";
export type { DeviceAuthPayloadInput } from "./device-auth.js";
export {
  AuthNextSteps,
  ConnectErrorDetailCodes,
  ErrorCodes,
  GatewayErrorDetailCodes,
  RECONNECT_PAUSE_DETAIL_CODES,
} from "./error-codes.js";
export type { AuthNextStep, ConnectErrorDetailCode, ErrorCode, GatewayErrorDetailCode } from "./error-codes.js";
export {
  ConnectChallengePayload,
  GatewayEvents,
  NodeInvokeRequestPayload,
  ShutdownPayload,
  TickPayload,
} from "./events.js";
export { ErrorShape, EventFrame, FRAME_TYPES, GatewayFrame, RequestFrame, ResponseFrame, StateVersion } from "./frames.js";
export {
  AUTH_METHODS,
  HealthSnapshot,
  HelloAuth,
  HelloFeatures,
  HelloOk,
  HelloPolicy,
  IssuedDeviceToken,
  PresenceEntry,
  SessionDefaults,
  Snapshot,
} from "./hello-ok.js";
export {
  DEDUPE_MAX,
  DEDUPE_TTL_MS,
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_GATEWAY_PORT,
  DEFAULT_GATEWAY_URL,
  DEFAULT_NODE_INVOKE_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEVICE_SIGNATURE_SKEW_MS,
  HANDSHAKE_TIMEOUT_MS,
  KEEPALIVE_INTERVAL_MS,
  MAX_BUFFERED_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_PENDING_HANDSHAKE_FRAMES,
  MAX_PREAUTH_PAYLOAD_BYTES,
  TICK_INTERVAL_MS,
} from "./limits.js";
export { METHOD_CATALOGUE, METHOD_CATALOGUE_SOURCE } from "./method-catalogue.generated.js";
export { Methods, NodeEntry, NodeInvokeResult, SystemRunResult, TYPED_METHODS } from "./methods.js";
export {
  DYNAMIC_SCOPE_METHODS,
  OperatorScopes,
  SCOPE_OVERRIDES_2026_9_6,
  UNCLASSIFIED_METHOD_SCOPES,
  authorizeMethod,
  catalogueScopeOf,
  leastPrivilegeScopes,
  missingScopeError,
  requiredScopesFor,
  scopeSatisfied,
} from "./scopes.js";
export type { MethodRequirement, OperatorScope, Principal } from "./scopes.js";
export {
  MIN_CLIENT_PROTOCOL_VERSION,
  MIN_NODE_PROTOCOL_VERSION,
  MIN_PROBE_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  isProtocolAccepted,
} from "./version.js";
export type { ProtocolOffer } from "./version.js";

export { backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
export type { BackoffPolicy } from "./backoff.js";
export { CONFIG_DIR_ENV, resolveConfigDir } from "./config-dir.js";
export type { ConfigDirOptions } from "./config-dir.js";
export { CredentialStore, storeSlotForRemote, storeSlotForUrl } from "./credential-store.js";
export type { StoredDeviceToken } from "./credential-store.js";
export {
  deviceIdOf,
  generateDeviceIdentity,
  parseDeviceIdentity,
  rawEd25519PublicKey,
  serializeDeviceIdentity,
  signDeviceProof,
} from "./device-identity.js";
export type { DeviceIdentity, DeviceProofInput, DeviceSignatureVersion } from "./device-identity.js";
export {
  approveCommandFor,
  CallTimeoutError,
  ConnectRejectedError,
  GatewayClientError,
  GatewayUrlError,
  HandshakeProtocolError,
  HandshakeTimeoutError,
  InsecureTransportError,
  PairingRequiredError,
  PairingTimeoutError,
  PayloadTooLargeError,
  RemoteProfileError,
  ScopeCeilingError,
  SecretSourceError,
  TlsFingerprintError,
} from "./errors.js";
export type { CallPhase, HandshakePhase, RemoteProfileErrorCode, TlsFingerprintErrorCode } from "./errors.js";
export { GatewayEventHub } from "./event-hub.js";
export type { EventGap, GatewayEvent } from "./event-hub.js";
export { CLIENT_VERSION, GatewayClient } from "./gateway-client.js";
export type {
  CallOnceOptions,
  CallOptions,
  ClientState,
  ConnectAttemptFailure,
  DeviceIdentityMode,
  GatewayClientOptions,
  PairingSchedule,
  WaitForPairingOptions,
} from "./client-options.js";
export {
  assertPlaintextAllowed,
  displayUrl,
  edgeHeadersTransportProblem,
  isLoopbackHost,
  isPrivateHost,
  parseGatewayUrl,
} from "./gateway-url.js";
export type { ClientLogger, LogLevel } from "./logger.js";
export {
  MAX_PROFILE_TIMEOUT_MS,
  passwordSourceOf,
  RemoteAuth,
  RemoteId,
  RemoteProfile,
  RemotesFile,
  resolveUpgradeHeaders,
  SecretRef,
  secretSourceOfRef,
  tokenSourceOf,
  UpgradeHeaders,
} from "./remote-profile.js";
export { effectiveSkillPolicy, NodeCommandName, RemoteSkillPolicy } from "./remote-skill-policy.js";
export type { EffectiveSkillPolicy } from "./remote-skill-policy.js";
export { REMOTES_FILE_NAME, RemoteStore, summarizeRemote } from "./remote-store.js";
export type { RemoteSummary } from "./remote-store.js";
export { resolveRemote } from "./resolve-remote.js";
export type { ResolvedRemote, ResolveRemoteOptions } from "./resolve-remote.js";
export { AMBIENT_ENV, resolveTarget } from "./resolve-target.js";
export type { CredentialOrigin, ResolvedTarget, ResolveTargetOptions, TargetRequest, UrlSource } from "./resolve-target.js";
export {
  assertWithinCeiling,
  DEFAULT_LONG_LIVED_SCOPES,
  resolveRequestedScopes,
  scopesBeyondCeiling,
  scopesForMethods,
} from "./scope-policy.js";
export type { IntendedMethod, ScopeInputs } from "./scope-policy.js";
export { REDACTED, SecretRedactor } from "./secret-redactor.js";
export {
  DEFAULT_SECRET_COMMAND_TIMEOUT_MS,
  describeSecretSource,
  parseCommandLine,
  resolveSecret,
} from "./secret-source.js";
export type { ResolveSecretOptions, SecretSource, SecretSourceSummary } from "./secret-source.js";
export { normalizeTlsFingerprint, pinnedTlsOptions } from "./tls-pinning.js";
// The rpc-core errors the client throws in normal use, so `instanceof` needs no second dependency.
export {
  ConnectError,
  ConnectionClosedError,
  GatewayRequestError,
  isGatewayRequestError,
  LocalRpcError,
  RequestAbortedError,
  RequestTimeoutError,
} from "@clawbridge/rpc-core";

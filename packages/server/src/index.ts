export { ADVERTISED_EVENTS, CHALLENGE_CAPABILITIES } from "./advertised-events.js";
export { authFailureMessage, authFailureRejection } from "./auth-failure.js";
export { AuthRateLimiter } from "./auth-rate-limiter.js";
export type { AuthRateLimitOptions, RateLimitVerdict } from "./auth-rate-limiter.js";
export type { AuthFailureContext, AuthFailureReason } from "./auth-failure.js";
export type { AuthMethod, AuthOutcome, AuthSuccess, Authenticate, IssuedDeviceTokenInfo } from "./authenticator.js";
export { checkBrowserOrigin } from "./browser-origin.js";
export type { BrowserOriginCheck, BrowserOriginInput } from "./browser-origin.js";
export { isCliClient, isOperatorUiClient, isWebchatClient } from "./client-kind.js";
export type { ClientKindInput } from "./client-kind.js";
export { connectRejection } from "./connect-rejection.js";
export type { ConnectRejection } from "./connect-rejection.js";
export {
  decodeDevicePublicKey,
  deviceIdFromPublicKey,
  deviceProofRejection,
  ed25519PublicKeyObject,
  verifyDeviceProof,
} from "./device-proof.js";
export type { DeviceProofCheck, DeviceProofFailureReason, VerifiedDevice } from "./device-proof.js";
export { EVENT_SCOPE_GUARDS, canReceiveEvent } from "./event-scopes.js";
export { createGatewayAuthenticator } from "./gateway-authenticator.js";
export type { GatewayAuthenticator, GatewayAuthenticatorOptions } from "./gateway-authenticator.js";
export { DEFAULT_SERVER_VERSION, GatewayServer } from "./gateway-server.js";
export type { BroadcastOptions, GatewayServerOptions, ListenOptions, ServerInfoExtras, ShutdownOptions } from "./gateway-server.js";
export { jsonFilePersistence } from "./json-file-persistence.js";
export { pairingRequiredRejection } from "./pairing-required.js";
export type { PairingRequiredInput } from "./pairing-required.js";
export { PairingStore } from "./pairing-store.js";
export type {
  DeviceMetadata,
  DeviceTokenCheck,
  DeviceTokenRecord,
  PairedDevice,
  PairingEvent,
  PairingPersistence,
  PairingReason,
  PairingRequest,
  PairingRequestInput,
  PairingSnapshot,
  PairingStoreOptions,
} from "./pairing-store.js";
export { ServerConnection } from "./server-connection.js";
export type { ConnectionEventOptions, ServerConnectionInit } from "./server-connection.js";
export type { ResolvedServerOptions } from "./server-runtime.js";
export { checkSharedSecret, safeEqualSecret } from "./shared-secret.js";
export type { SharedSecretConfig, SharedSecretFailureReason, SharedSecretResult } from "./shared-secret.js";
export { describeSocket } from "./socket-info.js";
export type { SocketInfo } from "./socket-info.js";
export { hasProxyHeaders, hasTailscaleHeaders, isLocalHostHeader, isLoopbackAddress } from "./request-locality.js";
export { attributeIngress, isTrustedProxy } from "./ingress-attribution.js";
export type { IngressAttribution } from "./ingress-attribution.js";

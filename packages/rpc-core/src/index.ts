export { BaseTransport } from "./base-transport.js";
export {
  ConnectError,
  ConnectionClosedError,
  GatewayRequestError,
  LocalRpcError,
  ProtocolViolationError,
  RequestAbortedError,
  RequestTimeoutError,
  gatewayError,
  isGatewayRequestError,
} from "./errors.js";
export type { LocalRpcErrorKind, ProtocolViolation } from "./errors.js";
export { decodeFrame, encodeFrame } from "./frame-codec.js";
export type { DecodeFrameOptions, DecodeResult, FrameValidation } from "./frame-codec.js";
export { InMemoryTransport, createInMemoryTransportPair } from "./in-memory-transport.js";
export { Peer } from "./peer.js";
export type {
  PeerCloseInfo,
  PeerOptions,
  PeerState,
  RequestOptions,
  SendEventOptions,
  SendEventResult,
  SequenceGap,
} from "./peer.js";
export { RawJson } from "./raw-json.js";
export { createRequestIdGenerator } from "./request-id.js";
export type { RequestIdGenerator } from "./request-id.js";
export { Router } from "./router.js";
export type {
  AuthorizeHook,
  DispatchHooks,
  DispatchResult,
  RegisterOptions,
  RequestContext,
  RequestHandler,
  RouterOptions,
} from "./router.js";
export type { Transport, TransportCloseInfo } from "./transport.js";
export { TypedEmitter } from "./typed-emitter.js";
export type { Listener, ListenerErrorHandler } from "./typed-emitter.js";
export { formatValidationIssues } from "./validation-message.js";
export { WebSocketTransport, connectWebSocket } from "./ws-transport.js";
export type { ConnectWebSocketOptions } from "./ws-transport.js";

/** Largest text frame the gateway accepts before `hello-ok` (bytes); more closes 1009. */
export const MAX_PREAUTH_PAYLOAD_BYTES = 65_536;
/** Largest frame after `hello-ok` (bytes), advertised as `hello-ok.policy.maxPayload`. */
export const MAX_PAYLOAD_BYTES = 26_214_400;
/** Outbound buffer per socket (bytes), `policy.maxBufferedBytes`; more closes 1008 "slow consumer". */
export const MAX_BUFFERED_BYTES = 52_428_800;
/** Frames a server queues while `connect` is processed; the 16th closes 1008. */
export const MAX_PENDING_HANDSHAKE_FRAMES = 15;
/** Interval of `tick` events (ms), `policy.tickIntervalMs` as sent by 2026.9.6. */
export const TICK_INTERVAL_MS = 30_000;
/** Server and client pre-auth handshake deadline (ms). */
export const HANDSHAKE_TIMEOUT_MS = 15_000;
/** Allowed clock skew of a device signature's `signedAt` (ms, either direction). */
export const DEVICE_SIGNATURE_SKEW_MS = 120_000;
/** Default per-request timeout of the reference client (ms). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Default `--timeout` of `gateway call` (ms): the whole connect + request budget. */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;
/** Default gateway port. */
export const DEFAULT_GATEWAY_PORT = 18_789;
/** Default gateway URL. */
export const DEFAULT_GATEWAY_URL = `ws://127.0.0.1:${DEFAULT_GATEWAY_PORT}`;
/** Server WebSocket ping interval after hello (ms); a missing pong within this window terminates. */
export const KEEPALIVE_INTERVAL_MS = 25_000;
/** Gateway idempotency dedupe cache lifetime (ms) and size. */
export const DEDUPE_TTL_MS = 300_000;
export const DEDUPE_MAX = 1_000;
/** Default `node.invoke` timeout on the gateway (ms). */
export const DEFAULT_NODE_INVOKE_TIMEOUT_MS = 30_000;

import type { Agent } from "node:http";
import type { GatewayClientId, GatewayClientMode } from "@clawbridge/protocol";
import type { BackoffPolicy } from "./backoff.js";
import type { DeviceIdentity, DeviceSignatureVersion } from "./device-identity.js";
import type { PairingRequiredError } from "./errors.js";
import type { ClientLogger } from "./logger.js";
import type { IntendedMethod } from "./scope-policy.js";

/**
 * Lifecycle of a {@link GatewayClient} (trpc-style):
 * `idle` → `connecting` (opening the socket) → `handshaking` (challenge, connect) →
 * `open`; a lost link goes to `reconnecting` (with `reconnect`) or back to `idle`;
 * `close()` ends in `closed`, which is final.
 */
export type ClientState = "idle" | "connecting" | "handshaking" | "open" | "reconnecting" | "closed";

/** When to prove a device identity on connect. */
export type DeviceIdentityMode = "auto" | "always" | "never";

/** Options of {@link GatewayClient}. Every secret here is redacted from errors and logs. */
export interface GatewayClientOptions {
  /** Gateway WebSocket URL. Default `ws://127.0.0.1:18789`. */
  url?: string | URL | undefined;
  /** Shared gateway token (`auth.token`). */
  token?: string | undefined;
  /** Shared gateway password (`auth.password`). */
  password?: string | undefined;
  /** An explicit device token (`auth.deviceToken`); normally the stored one is used. */
  deviceToken?: string | undefined;
  /**
   * Device identity use. `always`: load or create this remote's Ed25519 identity and sign
   * every connect. `never`: connect without one (the gateway then clears the scopes of
   * non-local shared-secret clients). `auto` (default): like OpenClaw's CLI — omit it for
   * a loopback URL with a shared token/password, use it everywhere else.
   */
  device?: DeviceIdentityMode | undefined;
  /** Use this identity instead of the stored one (issued device tokens are still stored for it). */
  deviceIdentity?: DeviceIdentity | undefined;
  /** Device-auth payload version to sign. Default `v3`. */
  signatureVersion?: DeviceSignatureVersion | undefined;
  /** Config dir for identities and device tokens. Default: `resolveConfigDir()` (`$CLAWBRIDGE_CONFIG_DIR` or XDG). */
  configDir?: string | undefined;
  /** Per-remote store slot. Default: derived from the URL (`storeSlotForUrl`); profiles use `remote-<id>`. */
  credentialSlot?: string | undefined;
  /** Environment for `CLAWBRIDGE_CONFIG_DIR`. Default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Requested scopes (overrides least-privilege derivation). */
  scopes?: readonly string[] | undefined;
  /** Methods this client will call; requested scopes are their least-privilege union. */
  methods?: readonly IntendedMethod[] | undefined;
  /** Local ceiling (from a remote profile): requesting anything beyond it fails before connecting. */
  scopeCeiling?: readonly string[] | undefined;
  /** Client identity. Default `{id:"gateway-client", mode:"backend"}`; the CLI uses `cli`/`cli`. */
  client?: {
    id?: GatewayClientId | undefined;
    mode?: GatewayClientMode | undefined;
    version?: string | undefined;
    displayName?: string | undefined;
    instanceId?: string | undefined;
  } | undefined;
  /** `connect.params.caps`. Default `[]`. */
  caps?: readonly string[] | undefined;
  /** Reconnect automatically after a lost link (long-lived mode); `true` = default curve. Default false. */
  reconnect?: boolean | Partial<BackoffPolicy> | undefined;
  /** Wait for `connect.challenge` (ms). Default 15000. */
  challengeTimeoutMs?: number | undefined;
  /** Wait for `hello-ok` after sending `connect` (ms). Default 15000. */
  helloTimeoutMs?: number | undefined;
  /** WebSocket opening handshake timeout (ms). Default 15000. */
  openTimeoutMs?: number | undefined;
  /** Default per-request deadline (ms); `null` = unbounded. Default 30000 (unbounded with `expectFinal`). */
  requestTimeoutMs?: number | null | undefined;
  /** Run the tick watchdog. Default true. */
  tickWatchdog?: boolean | undefined;
  /** Allow plaintext `ws://` to public hosts. Default false. */
  allowInsecurePlaintext?: boolean | undefined;
  /** SHA-256 pin of the gateway's leaf certificate (requires `wss://`; disables CA validation). */
  tlsFingerprint?: string | undefined;
  /** Custom CA certificate(s) (PEM) for `wss://`. */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** HTTP(S) agent for the upgrade request, e.g. a proxy agent. */
  agent?: Agent | undefined;
  /** Extra headers on the upgrade request (e.g. edge/proxy auth). Never logged. */
  headers?: Record<string, string> | undefined;
  /** Largest inbound frame (bytes). Default 26214400. */
  maxInboundBytes?: number | undefined;
  /** Diagnostics sink (every line is redacted). Default: none. */
  logger?: ClientLogger | undefined;
}

/** Options of {@link GatewayClient.call}. */
export interface CallOptions {
  /** Deadline (ms) covering queueing and the response; `null` = unbounded. Default: client `requestTimeoutMs`. */
  timeoutMs?: number | null | undefined;
  signal?: AbortSignal | undefined;
  /** Wait past an `accepted` acknowledgement for the final response (two-phase methods like `agent`). */
  expectFinal?: boolean | undefined;
  /** Called once with the `accepted` payload (with `expectFinal`). */
  onAccepted?: ((payload: Record<string, unknown>) => void) | undefined;
  /** W3C `traceparent` for the request frame. */
  traceparent?: string | undefined;
  /**
   * May resolve with an rpc-core `RawJson` (the payload's text, unparsed) instead of the
   * parsed payload: see rpc-core's `RequestOptions.rawPayload`. For relays.
   */
  rawPayload?: boolean | undefined;
}

/** Options of {@link GatewayClient.callOnce}. */
export interface CallOnceOptions {
  /** One budget (ms) for connect + handshake + request, like `openclaw gateway call --timeout`. Default 10000. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  expectFinal?: boolean | undefined;
  onAccepted?: ((payload: Record<string, unknown>) => void) | undefined;
  traceparent?: string | undefined;
}

/** A failed connection attempt, as reported to {@link GatewayClient.onConnectError}. */
export interface ConnectAttemptFailure {
  readonly error: Error;
  /** 1 for the first failed attempt since the last success. */
  readonly attempt: number;
  /** Delay before the next attempt (ms), or undefined when the client will not retry. */
  readonly retryInMs: number | undefined;
}

/** Retry schedule of {@link GatewayClient.waitForPairing}. */
export interface PairingSchedule {
  /** First wait (ms). Default 1000. */
  initialMs?: number | undefined;
  /** Growth per attempt. Default 2. */
  multiplier?: number | undefined;
  /** Longest single wait (ms). Default 30000. */
  maxMs?: number | undefined;
  /** Total deadline (ms). Default 600000 (10 min). */
  totalMs?: number | undefined;
}

/** Options of {@link GatewayClient.waitForPairing}. */
export interface WaitForPairingOptions {
  signal?: AbortSignal | undefined;
  /** Called after each attempt that is still pending approval. */
  onAttempt?: ((info: { attempt: number; error: PairingRequiredError; nextDelayMs: number }) => void) | undefined;
  schedule?: PairingSchedule | undefined;
}

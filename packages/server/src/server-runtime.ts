import type { HelloFeatures, Snapshot } from "@clawbridge/protocol";
import type { Router } from "@clawbridge/rpc-core";
import type { Authenticate } from "./authenticator.js";
import type { ServerInfoExtras } from "./gateway-server.js";
import type { ServerConnection } from "./server-connection.js";
import type { SocketSession } from "./socket-session.js";

/** Resolved server limits and hooks (every default applied). */
export interface ResolvedServerOptions {
  readonly authenticate: Authenticate;
  readonly policyExtras: Readonly<Record<string, unknown>>;
  readonly version: string;
  readonly serverInfo: ServerInfoExtras;
  readonly challengeCapabilities: readonly string[];
  readonly maxPayloadBytes: number;
  readonly maxBufferedBytes: number;
  readonly maxPreauthPayloadBytes: number;
  readonly maxPendingHandshakeFrames: number;
  readonly handshakeTimeoutMs: number;
  readonly tickIntervalMs: number;
  readonly keepaliveIntervalMs: number;
}

/** @internal What a {@link SocketSession} needs from its server. */
export interface ServerRuntime {
  readonly options: ResolvedServerOptions;
  readonly router: Router<ServerConnection>;
  features(connection: ServerConnection): HelloFeatures;
  snapshot(connection: ServerConnection): Snapshot;
  register(connection: ServerConnection): void;
  forget(session: SocketSession): void;
}

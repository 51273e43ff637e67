import type { ConnectParams } from "@clawbridge/protocol";
import type { ConnectRejection } from "./connect-rejection.js";
import type { SocketInfo } from "./socket-info.js";

/** `hello-ok.auth.method` values this server can report. */
export type AuthMethod = "none" | "token" | "password" | "device-token" | "bootstrap-token" | "trusted-proxy" | "tailscale";

/** A device token handed to the client in `hello-ok.auth`. */
export interface IssuedDeviceTokenInfo {
  /** The opaque token. */
  readonly token: string;
  /** When it was issued (ms since the epoch). */
  readonly issuedAtMs: number;
}

/** A successful authentication: the socket's effective principal. */
export interface AuthSuccess {
  readonly ok: true;
  readonly role: "operator" | "node";
  /** Effective scopes enforced for the socket (may be narrower than requested). */
  readonly scopes: readonly string[];
  readonly method: AuthMethod;
  /** Verified device id, when the client proved a device identity. */
  readonly deviceId?: string | undefined;
  /** Device token to return in `hello-ok.auth.deviceToken` / `issuedAtMs`. */
  readonly issuedDeviceToken?: IssuedDeviceTokenInfo | undefined;
  /** Opaque per-principal key returned as `hello-ok.auth.recoveryScope` (operators only in OpenClaw). */
  readonly recoveryScope?: string | undefined;
}

/** What an authenticator decides. */
export type AuthOutcome = AuthSuccess | ConnectRejection;

/**
 * Decides who a validated `connect` is. Runs after frame, params, protocol and role
 * checks; `connect.role` is already `"operator"` or `"node"` (absent means operator).
 */
export type Authenticate = (connect: ConnectParams, socket: SocketInfo) => AuthOutcome | Promise<AuthOutcome>;

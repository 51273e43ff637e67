import { randomUUID } from "node:crypto";
import { ConnectErrorDetailCodes, ErrorCodes } from "@clawbridge/protocol";
import type { ConnectParams } from "@clawbridge/protocol";
import { authFailureRejection, connectRejection, pairingRequiredRejection, verifyDeviceProof } from "@clawbridge/server";
import type { AuthOutcome, ConnectRejection, SocketInfo } from "@clawbridge/server";
import type { ClientPolicy } from "../policy/client-policy.js";
import { RELAY_POLICY_DENIED } from "../policy/policy-denial.js";
import type { DenialRule } from "../policy/policy-denial.js";
import { normalizeToken } from "../policy/policy-set.js";
import type { PolicySet } from "../policy/policy-set.js";
import { parseRoutePath } from "./route-path.js";

/** Auth failure messages for relay clients: what to fix is the relay-issued credential, not a gateway setting. */
export const RELAY_AUTH_MESSAGES = {
  token_missing:
    "unauthorized: relay token missing (connect with the token the relay operator issued for this client, or a device identity listed for it)",
  token_mismatch:
    "unauthorized: relay token mismatch (use the token the relay operator issued for this client; ask them to check its tokenSha256 in the relay config)",
} as const;

/** A client the relay admitted: who it is and where it goes. */
export interface Admission {
  readonly policy: ClientPolicy;
  readonly upstreamId: string;
  readonly deviceId: string | undefined;
  /** Effective scopes reported in `hello-ok.auth.scopes`. */
  readonly scopes: readonly string[];
}

/** Why a connect was refused, for the audit log (never a credential). */
export interface RefusalInfo {
  readonly reason: string;
  /** The policy rule, when relay policy (not authentication) refused: counted in the denial metric. */
  readonly rule?: DenialRule | undefined;
  readonly clientId?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly upstream?: string | undefined;
}

/** What the authenticator needs from the relay. */
export interface ClientAuthenticatorDeps {
  /** The current policy generation. */
  policies(): PolicySet;
  /** Configured upstream ids. */
  readonly upstreamIds: ReadonlySet<string>;
  /** Scopes to report for an admitted client on an upstream. */
  scopesFor(policy: ClientPolicy, upstreamId: string): readonly string[];
  /** Open (or just admitted) connections of a client, for its `maxConnections`. */
  connectionsOf(clientId: string): number;
  /**
   * Called for every admission, before `hello-ok` is built; it must count the admission in
   * {@link connectionsOf} at once (the check and the count are one synchronous step).
   */
  admitted(socket: SocketInfo, admission: Admission): void;
  /** Called for every refusal. */
  refused(socket: SocketInfo, info: RefusalInfo): void;
}

/**
 * Authenticates clients with relay-issued credentials (never the upstream's): a
 * per-client token, matched by its SHA-256 in constant time, and/or an Ed25519 device
 * identity whose id the relay operator listed under the client. Then routes the socket
 * (`/gw/<id>` or the client's first upstream) and admits it as an operator whose
 * effective scopes are what its policy allows.
 */
export function createClientAuthenticator(deps: ClientAuthenticatorDeps): (connect: ConnectParams, socket: SocketInfo) => AuthOutcome {
  return (connect, socket) => {
    const refuse = (rejection: ConnectRejection, info: RefusalInfo): ConnectRejection => {
      deps.refused(socket, info);
      return rejection;
    };
    if (connect.role !== undefined && connect.role !== "operator") {
      return refuse(connectRejection(ErrorCodes.INVALID_REQUEST, "unauthorized role: the relay serves operator clients only"), {
        reason: "role",
      });
    }
    const policies = deps.policies();
    // Either field may carry the secret, as on OpenClaw (an empty token falls through to the password).
    // Trimmed like hash-token trims the issued token (normalizeToken), so a token always matches its hash.
    const tokenField = normalizeToken(connect.auth?.token ?? "");
    const token = tokenField !== "" ? tokenField : normalizeToken(connect.auth?.password ?? "");
    // OpenClaw's error code and details (clients map them the same), with a message about the
    // relay's credentials: OpenClaw's hint (gateway.remote.token, gateway.auth.token) means nothing here.
    const failure = (reason: "token_missing" | "token_mismatch"): ConnectRejection => {
      const openclaw = authFailureRejection({
        reason,
        auth: connect.auth,
        clientId: connect.client.id,
        clientMode: connect.client.mode,
        hasDeviceIdentity: connect.device !== undefined,
        directLocal: false,
      });
      return connectRejection(openclaw.error.code, RELAY_AUTH_MESSAGES[reason], openclaw.error.details, { closeCode: openclaw.closeCode });
    };

    let deviceId: string | undefined;
    if (connect.device !== undefined) {
      const proof = verifyDeviceProof({ device: connect.device, connect, role: "operator", nonce: socket.nonce });
      if (!proof.ok) return refuse(proof, { reason: "device-proof" });
      deviceId = proof.deviceId;
    }
    const byToken = token === "" ? undefined : policies.findByToken(token);
    const byDevice = deviceId === undefined ? undefined : policies.findByDevice(deviceId);
    if (token !== "" && byToken === undefined) return refuse(failure("token_mismatch"), { reason: "token_mismatch", deviceId });
    if (byToken !== undefined && byDevice !== undefined && byToken !== byDevice) {
      return refuse(
        connectRejection(ErrorCodes.INVALID_REQUEST, "unauthorized: token and device identity belong to different clients", {
          code: ConnectErrorDetailCodes.AUTH_UNAUTHORIZED,
        }),
        { reason: "credential_conflict", deviceId },
      );
    }
    const policy = byToken ?? byDevice;
    if (policy === undefined) {
      if (deviceId === undefined) return refuse(failure("token_missing"), { reason: "token_missing" });
      const rejection = pairingRequiredRejection({
        reason: "not-paired",
        requestId: randomUUID(),
        deviceId,
        requestedRole: "operator",
        requestedScopes: connect.scopes ?? [],
      });
      return refuse(
        {
          ...rejection,
          error: {
            ...rejection.error,
            details: {
              ...(rejection.error.details as Record<string, unknown>),
              remediationHint: "Ask the relay operator to add this device id under clients.<id>.devices in relay.yaml and reload the relay.",
            },
          },
        },
        { reason: "device_not_approved", deviceId },
      );
    }

    const route = parseRoutePath(socket.path);
    const requested = route.ok ? route.upstream : socket.path;
    if (requested !== undefined && !deps.upstreamIds.has(requested)) {
      return refuse(
        connectRejection(ErrorCodes.INVALID_REQUEST, `unknown upstream: ${requested.slice(0, 64)}`, {
          code: "RELAY_UNKNOWN_UPSTREAM",
          upstream: requested.slice(0, 64),
        }),
        { reason: "unknown_upstream", clientId: policy.id, deviceId },
      );
    }
    const upstreamId = policy.routeFor(requested);
    if (upstreamId === undefined) {
      return refuse(
        connectRejection(ErrorCodes.INVALID_REQUEST, `relay policy: upstream ${String(requested)} is not allowed for this client`, {
          code: RELAY_POLICY_DENIED,
          rule: "upstream",
          upstream: requested,
        }),
        { reason: "upstream", rule: "upstream", clientId: policy.id, deviceId, upstream: requested },
      );
    }
    // Last, so a bad route or credential is reported as such even when the client is at its cap.
    const maxConnections = policy.limits.maxConnections;
    if (maxConnections !== undefined && deps.connectionsOf(policy.id) >= maxConnections) {
      return refuse(
        connectRejection(
          ErrorCodes.INVALID_REQUEST,
          `relay policy: this client already has its maximum of ${maxConnections} open connection${maxConnections === 1 ? "" : "s"} ` +
            "(maxConnections); close one or retry later",
          { code: RELAY_POLICY_DENIED, rule: "maxConnections", maxConnections },
          // A slot frees when one of the client's connections closes: worth retrying, with backoff.
          { retryable: true },
        ),
        { reason: "maxConnections", rule: "maxConnections", clientId: policy.id, deviceId, upstream: upstreamId },
      );
    }
    const scopes = deps.scopesFor(policy, upstreamId);
    deps.admitted(socket, { policy, upstreamId, deviceId, scopes });
    return {
      ok: true,
      role: "operator",
      scopes,
      method: token === "" ? "device-token" : tokenField !== "" ? "token" : "password",
      deviceId,
    };
  };
}

import { ConnectErrorDetailCodes, ErrorCodes, normalizeDeviceMetadata, scopeSatisfied } from "@clawbridge/protocol";
import type { ConnectParams } from "@clawbridge/protocol";
import { authFailureRejection } from "./auth-failure.js";
import type { AuthFailureReason } from "./auth-failure.js";
import type { AuthMethod, AuthOutcome, Authenticate } from "./authenticator.js";
import { connectRejection } from "./connect-rejection.js";
import { verifyDeviceProof } from "./device-proof.js";
import type { VerifiedDevice } from "./device-proof.js";
import { pairingRequiredRejection } from "./pairing-required.js";
import { PairingStore } from "./pairing-store.js";
import type { PairedDevice, PairingReason } from "./pairing-store.js";
import { checkSharedSecret } from "./shared-secret.js";
import type { SharedSecretConfig } from "./shared-secret.js";
import type { SocketInfo } from "./socket-info.js";

/** Options of {@link createGatewayAuthenticator}. */
export interface GatewayAuthenticatorOptions {
  /** Shared-secret mode and secret (`gateway.auth`). */
  readonly sharedSecret: SharedSecretConfig;
  /** Device pairing state. Default: a fresh in-memory {@link PairingStore}. */
  readonly pairing?: PairingStore | undefined;
  /**
   * Silently approve new devices (and role upgrades of operators) on direct-local
   * sockets without an `Origin`, like `gateway.nodes.pairing.autoApproveLocal`.
   * Scope and metadata upgrades always need an explicit approval. Default `true`.
   */
  readonly autoApproveLocal?: boolean | undefined;
  /** Allowed device-signature clock skew (ms). Default 120 000. */
  readonly maxSignatureSkewMs?: number | undefined;
  /** Clock (ms). Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/** A {@link Authenticate} function plus the pairing store it uses. */
export interface GatewayAuthenticator {
  readonly authenticate: Authenticate;
  readonly pairing: PairingStore;
}

const CONTROL_UI_CLIENT_IDS: ReadonlySet<string> = new Set(["openclaw-control-ui"]);

function isCliClient(connect: ConnectParams): boolean {
  return connect.client.id === "cli" && connect.client.mode === "cli";
}

function isBackendClient(connect: ConnectParams): boolean {
  return connect.client.id === "gateway-client" && connect.client.mode === "backend";
}

function metadataChanged(paired: PairedDevice, connect: ConnectParams): boolean {
  // Only pinned fields count: a device approved without a deviceFamily may add one later.
  const changed = (pinned: string | undefined, claimed: string | undefined): boolean =>
    pinned !== undefined && normalizeDeviceMetadata(pinned) !== normalizeDeviceMetadata(claimed);
  return changed(paired.platform, connect.client.platform) || changed(paired.deviceFamily, connect.client.deviceFamily);
}

/**
 * OpenClaw's connect authentication, composed from the building blocks of this package
 * ({@link checkSharedSecret}, {@link verifyDeviceProof}, {@link PairingStore}), in the
 * gateway's order:
 *
 * 1. shared secret (token/password, constant-time; `none` authorizes without a secret);
 * 2. no device identity: operators with a valid shared secret are admitted but their
 *    scopes are cleared to `[]`, except `cli`/`cli` and `gateway-client`/`backend` on a
 *    direct-local socket without `Origin`; Control UI → `CONTROL_UI_DEVICE_IDENTITY_REQUIRED`;
 *    a wrong secret → `unauthorized: …`; anyone else (nodes) → `NOT_PAIRED "device identity required"`;
 * 3. device proof (id, signedAt skew, nonce, v3/v2 signature);
 * 4. device token (`auth.deviceToken`, or `auth.token` as fallback) when the shared secret failed;
 * 5. pairing: unknown key → `not-paired`, changed platform/deviceFamily →
 *    `metadata-upgrade`, new role → `role-upgrade`, more scopes → `scope-upgrade`;
 *    silently approved on direct-local sockets (see `autoApproveLocal`), else
 *    `PAIRING_REQUIRED`. Approved devices get their device token in `hello-ok`.
 */
export function createGatewayAuthenticator(options: GatewayAuthenticatorOptions): GatewayAuthenticator {
  const pairing = options.pairing ?? new PairingStore(options.now === undefined ? {} : { now: options.now });
  const autoApproveLocal = options.autoApproveLocal ?? true;
  const now = options.now ?? Date.now;

  const authenticate = (connect: ConnectParams, socket: SocketInfo): AuthOutcome => {
    const role = connect.role === "node" ? "node" : "operator";
    const requestedScopes = connect.scopes ?? [];
    const hasOrigin = socket.origin !== undefined;
    const shared = checkSharedSecret(options.sharedSecret, connect.auth);
    let authOk = shared.ok;
    let method: AuthMethod = shared.ok ? shared.method : options.sharedSecret.mode === "password" ? "password" : "token";
    const sharedAuthOk = shared.ok && shared.sharedSecretUsed;
    let failure: AuthFailureReason | undefined = shared.ok ? undefined : shared.reason;
    const hasSharedAuth = (connect.auth?.token ?? "") !== "" || (connect.auth?.password ?? "") !== "";
    const cliLocal = isCliClient(connect) && socket.directLocal && !hasOrigin && sharedAuthOk;
    const backendLocal =
      isBackendClient(connect) && socket.directLocal && !hasOrigin && (sharedAuthOk || method === "none");

    const unauthorized = (reason: AuthFailureReason): AuthOutcome =>
      authFailureRejection({
        reason,
        auth: connect.auth,
        clientId: connect.client.id,
        clientMode: connect.client.mode,
        hasDeviceIdentity: connect.device !== undefined,
        directLocal: socket.directLocal,
      });

    const device = connect.device;
    if (device === undefined) {
      if (!(backendLocal && role === "operator")) {
        if (CONTROL_UI_CLIENT_IDS.has(connect.client.id)) {
          return connectRejection(
            ErrorCodes.INVALID_REQUEST,
            "control ui requires device identity (use HTTPS or localhost secure context)",
            { code: ConnectErrorDetailCodes.CONTROL_UI_DEVICE_IDENTITY_REQUIRED },
          );
        }
        if (!(role === "operator" && sharedAuthOk)) {
          if (!authOk && hasSharedAuth && failure !== undefined) return unauthorized(failure);
          return connectRejection(ErrorCodes.NOT_PAIRED, "device identity required", {
            code: ConnectErrorDetailCodes.DEVICE_IDENTITY_REQUIRED,
          });
        }
      }
      if (!authOk && failure !== undefined) return unauthorized(failure);
      // Unbound shared-secret sessions lose their scopes unless they are the local CLI or backend.
      const keepScopes = cliLocal || backendLocal || !(method === "token" || method === "password");
      return { ok: true, role, scopes: keepScopes ? [...requestedScopes] : [], method };
    }

    const proof = verifyDeviceProof({
      device,
      connect,
      role,
      nonce: socket.nonce,
      nowMs: now(),
      maxSkewMs: options.maxSignatureSkewMs,
    });
    if (!proof.ok) return proof;

    if (!authOk) {
      const explicit = (connect.auth?.deviceToken ?? "").trim();
      const candidate = explicit !== "" ? explicit : (connect.auth?.token ?? "").trim();
      if (candidate !== "") {
        const check = pairing.verifyDeviceToken(proof.deviceId, candidate, role, requestedScopes);
        if (check.ok) {
          authOk = true;
          method = "device-token";
        } else if (check.reason === "scope_mismatch") {
          failure = "scope_mismatch";
        } else {
          failure = explicit !== "" ? "device_token_mismatch" : (failure ?? "device_token_mismatch");
        }
      }
    }
    if (!authOk) return unauthorized(failure ?? "token_missing");

    return authorizeDevice(proof, connect, socket, { role, requestedScopes, method, sharedAuthOk, hasOrigin });
  };

  const authorizeDevice = (
    proof: VerifiedDevice,
    connect: ConnectParams,
    socket: SocketInfo,
    state: {
      role: "operator" | "node";
      requestedScopes: readonly string[];
      method: AuthMethod;
      sharedAuthOk: boolean;
      hasOrigin: boolean;
    },
  ): AuthOutcome => {
    const { role, requestedScopes, method } = state;
    const paired = pairing.getPaired(proof.deviceId);
    const known = paired !== undefined && paired.publicKey === proof.publicKey ? paired : undefined;
    let reason: PairingReason | undefined;
    if (known === undefined) reason = "not-paired";
    else if (metadataChanged(known, connect)) reason = "metadata-upgrade";
    else if (!known.roles.includes(role)) reason = "role-upgrade";
    else if (
      role === "operator" &&
      requestedScopes.length > 0 &&
      !requestedScopes.every((scope) => scopeSatisfied(known.scopes, scope))
    ) {
      reason = "scope-upgrade";
    }

    if (reason !== undefined) {
      const silent =
        autoApproveLocal &&
        socket.directLocal &&
        !state.hasOrigin &&
        (state.sharedAuthOk || method === "none") &&
        reason !== "scope-upgrade" &&
        reason !== "metadata-upgrade" &&
        // An approved device asking for a new non-operator role (e.g. node) needs a human.
        !(known !== undefined && role !== "operator");
      const { request } = pairing.request({
        deviceId: proof.deviceId,
        publicKey: proof.publicKey,
        role,
        scopes: requestedScopes,
        reason,
        silent,
        displayName: connect.client.displayName,
        platform: connect.client.platform,
        deviceFamily: connect.client.deviceFamily,
        clientId: connect.client.id,
        clientMode: connect.client.mode,
        remoteIp: socket.remoteAddress,
      });
      if (!silent || pairing.approve(request.requestId) === undefined) {
        return pairingRequiredRejection({
          reason,
          requestId: request.requestId,
          deviceId: proof.deviceId,
          requestedRole: role,
          requestedScopes,
          approvedRoles: known?.roles,
          approvedScopes: known?.scopes,
        });
      }
    }
    const token = pairing.ensureToken(proof.deviceId, role);
    return {
      ok: true,
      role,
      scopes: [...requestedScopes],
      method,
      deviceId: proof.deviceId,
      issuedDeviceToken: token === undefined ? undefined : { token: token.token, issuedAtMs: token.issuedAtMs },
    };
  };

  return { authenticate, pairing };
}

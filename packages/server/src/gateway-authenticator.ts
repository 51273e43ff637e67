import { createHash } from "node:crypto";
import { ConnectErrorDetailCodes, ErrorCodes, normalizeDeviceMetadata, scopeSatisfied } from "@clawbridge/protocol";
import type { ConnectParams } from "@clawbridge/protocol";
import { authFailureRejection } from "./auth-failure.js";
import type { AuthFailureReason } from "./auth-failure.js";
import { AuthRateLimiter } from "./auth-rate-limiter.js";
import type { AuthRateLimitOptions } from "./auth-rate-limiter.js";
import type { AuthMethod, AuthOutcome, Authenticate } from "./authenticator.js";
import { checkBrowserOrigin } from "./browser-origin.js";
import { isOperatorUiClient } from "./client-kind.js";
import { connectRejection } from "./connect-rejection.js";
import { verifyDeviceProof } from "./device-proof.js";
import type { VerifiedDevice } from "./device-proof.js";
import { pairingRequiredRejection } from "./pairing-required.js";
import { PairingStore } from "./pairing-store.js";
import type { PairedDevice, PairingReason } from "./pairing-store.js";
import { checkSharedSecret } from "./shared-secret.js";
import type { SharedSecretConfig, SharedSecretFailureReason, SharedSecretResult } from "./shared-secret.js";
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
  /**
   * `gateway.controlUi.allowedOrigins`: browser origins (exact, or `*`) accepted besides the
   * gateway's own and, for direct-local clients, loopback ones. Any other `Origin` is refused
   * with `CONTROL_UI_ORIGIN_NOT_ALLOWED`. Default: none.
   */
  readonly allowedOrigins?: readonly string[] | undefined;
  /**
   * Shared-secret failure limiting, as OpenClaw's auth rate limiter: an {@link AuthRateLimiter},
   * its options, or `false`/undefined for none. With it, loopback failures are answered after an
   * escalating delay (250 ms first) and other clients are locked out after 10 failures per
   * minute (`AUTH_RATE_LIMITED`). Default: none (MockGateway turns it on).
   */
  readonly rateLimit?: AuthRateLimiter | AuthRateLimitOptions | false | undefined;
}

/** A {@link Authenticate} function plus the pairing store it uses. */
export interface GatewayAuthenticator {
  readonly authenticate: Authenticate;
  readonly pairing: PairingStore;
}

const ORIGIN_NOT_ALLOWED_MESSAGE =
  "origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)";

/** A shared-secret check, or a refusal by the rate limiter before the secret was even compared. */
type SharedCheck =
  | Extract<SharedSecretResult, { ok: true }>
  | { readonly ok: false; readonly reason: SharedSecretFailureReason | "rate_limited"; readonly retryAfterMs?: number | undefined };

/** Rate-limit scope of shared-secret (token/password) attempts, as OpenClaw names it. */
const SHARED_SECRET_SCOPE = "shared-secret";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

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
 * ({@link checkBrowserOrigin}, {@link AuthRateLimiter}, {@link checkSharedSecret},
 * {@link verifyDeviceProof}, {@link PairingStore}), in the gateway's order:
 *
 * 0. an `Origin` header that is not allowlisted, not the gateway's own and (for a
 *    direct-local client) not a loopback origin → `CONTROL_UI_ORIGIN_NOT_ALLOWED`;
 * 1. shared secret (token/password, constant-time; `none` authorizes without a secret),
 *    behind the optional rate limiter (lockout → `AUTH_RATE_LIMITED`; a refused mismatch
 *    is answered after the loopback delay);
 * 2. no device identity: operators with a valid shared secret are admitted but their
 *    scopes are cleared to `[]`, except `cli`/`cli` and `gateway-client`/`backend` on a
 *    direct-local socket without `Origin`; operator UIs (`openclaw-control-ui`,
 *    `openclaw-browser-copilot`, `openclaw-tui`) → `CONTROL_UI_DEVICE_IDENTITY_REQUIRED`;
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
  const limiter =
    options.rateLimit === undefined || options.rateLimit === false
      ? undefined
      : options.rateLimit instanceof AuthRateLimiter
        ? options.rateLimit
        : new AuthRateLimiter(options.rateLimit);

  /** Lockout first (as OpenClaw checks the limiter before comparing), then the secret itself. */
  const checkShared = (connect: ConnectParams, subject: string | undefined): SharedCheck => {
    if (limiter !== undefined && options.sharedSecret.mode !== "none") {
      const verdict = limiter.check(subject, SHARED_SECRET_SCOPE);
      if (!verdict.allowed) return { ok: false, reason: "rate_limited", retryAfterMs: verdict.retryAfterMs };
    }
    return checkSharedSecret(options.sharedSecret, connect.auth);
  };

  /** Digest of the configured secret: distinguishes principals without ever exposing the secret. */
  const secretDigest = createHash("sha256")
    .update(options.sharedSecret.mode === "token" ? options.sharedSecret.token : options.sharedSecret.mode === "password" ? options.sharedSecret.password : "")
    .digest("base64url");

  /**
   * OpenClaw's opaque `hello-ok.auth.recoveryScope`: base64url SHA-256 of the principal
   * (auth method, device, shared-secret generation), the same for every socket of that
   * principal whatever its scopes (observed: equal for `cli` read/admin and `test` sockets).
   * Operators only.
   */
  const recoveryScopeOf = (role: "operator" | "node", method: AuthMethod, deviceId: string | undefined): string | undefined =>
    role !== "operator"
      ? undefined
      : createHash("sha256").update(JSON.stringify([method, deviceId ?? null, secretDigest])).digest("base64url");

  const authenticate = async (connect: ConnectParams, socket: SocketInfo): Promise<AuthOutcome> => {
    if (socket.origin !== undefined) {
      // Any client sending an Origin is held to the browser-origin policy, before auth (OpenClaw's admission).
      const check = checkBrowserOrigin({
        origin: socket.origin,
        requestHost: typeof socket.headers.host === "string" ? socket.headers.host : undefined,
        isLocalClient: socket.directLocal,
        allowedOrigins: options.allowedOrigins,
      });
      if (!check.ok) {
        return connectRejection(ErrorCodes.INVALID_REQUEST, ORIGIN_NOT_ALLOWED_MESSAGE, {
          code: ConnectErrorDetailCodes.CONTROL_UI_ORIGIN_NOT_ALLOWED,
          reason: check.reason,
        });
      }
    }
    const subject = socket.clientIp ?? socket.remoteAddress;
    const shared = checkShared(connect, subject);
    const outcome = decide(connect, socket, shared);
    if (limiter !== undefined) {
      if (shared.ok) limiter.reset(subject, SHARED_SECRET_SCOPE);
      else if (!outcome.ok && (shared.reason === "token_mismatch" || shared.reason === "password_mismatch")) {
        // Counted (and, on loopback, delayed) only when the connect is refused: a device token
        // presented in auth.token after a shared-secret miss is not a failure.
        const delayMs = limiter.recordFailure(subject, SHARED_SECRET_SCOPE);
        if (delayMs > 0) await sleep(delayMs);
      }
    }
    return outcome;
  };

  const decide = (connect: ConnectParams, socket: SocketInfo, shared: SharedCheck): AuthOutcome => {
    const role = connect.role === "node" ? "node" : "operator";
    const requestedScopes = connect.scopes ?? [];
    const hasOrigin = socket.origin !== undefined;
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
        retryAfterMs: shared.ok ? undefined : shared.retryAfterMs,
      });

    const device = connect.device;
    if (device === undefined) {
      if (!(backendLocal && role === "operator")) {
        if (isOperatorUiClient(connect.client)) {
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
      return { ok: true, role, scopes: keepScopes ? [...requestedScopes] : [], method, recoveryScope: recoveryScopeOf(role, method, undefined) };
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
      recoveryScope: recoveryScopeOf(role, method, proof.deviceId),
    };
  };

  return { authenticate, pairing };
}

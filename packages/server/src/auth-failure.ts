import { ConnectErrorDetailCodes, ErrorCodes } from "@clawbridge/protocol";
import type { AuthNextStep, ConnectAuth, ConnectErrorDetailCode } from "@clawbridge/protocol";
import { isCliClient, isOperatorUiClient, isWebchatClient } from "./client-kind.js";
import { connectRejection } from "./connect-rejection.js";
import type { ConnectRejection } from "./connect-rejection.js";
import type { SharedSecretFailureReason } from "./shared-secret.js";

/** Every internal auth failure reason this server reports. */
export type AuthFailureReason = SharedSecretFailureReason | "device_token_mismatch" | "scope_mismatch" | "rate_limited";

const DETAIL_CODE: Record<AuthFailureReason, ConnectErrorDetailCode> = {
  token_missing: ConnectErrorDetailCodes.AUTH_TOKEN_MISSING,
  token_mismatch: ConnectErrorDetailCodes.AUTH_TOKEN_MISMATCH,
  token_missing_config: ConnectErrorDetailCodes.AUTH_TOKEN_NOT_CONFIGURED,
  password_missing: ConnectErrorDetailCodes.AUTH_PASSWORD_MISSING,
  password_mismatch: ConnectErrorDetailCodes.AUTH_PASSWORD_MISMATCH,
  password_missing_config: ConnectErrorDetailCodes.AUTH_PASSWORD_NOT_CONFIGURED,
  device_token_mismatch: ConnectErrorDetailCodes.AUTH_DEVICE_TOKEN_MISMATCH,
  scope_mismatch: ConnectErrorDetailCodes.AUTH_SCOPE_MISMATCH,
  rate_limited: ConnectErrorDetailCodes.AUTH_RATE_LIMITED,
};

const NEXT_STEP: Record<AuthFailureReason, AuthNextStep> = {
  token_missing: "update_auth_configuration",
  token_missing_config: "update_auth_configuration",
  password_missing: "update_auth_configuration",
  password_missing_config: "update_auth_configuration",
  token_mismatch: "update_auth_credentials",
  password_mismatch: "update_auth_credentials",
  device_token_mismatch: "update_auth_credentials",
  scope_mismatch: "review_auth_configuration",
  rate_limited: "wait_then_retry",
};

/** Who failed, for the hint in the message (OpenClaw words it per client kind and locality). */
export interface AuthFailureContext {
  readonly reason: AuthFailureReason;
  readonly auth: ConnectAuth | undefined;
  readonly clientId: string;
  readonly clientMode: string;
  readonly hasDeviceIdentity: boolean;
  /** Direct-local socket (changes the CLI hint). */
  readonly directLocal: boolean;
  /** For `rate_limited`: how long the client is locked out (ms); makes the error retryable. */
  readonly retryAfterMs?: number | undefined;
}

/** The `unauthorized: …` message, with the hint OpenClaw gives that kind of client. */
export function authFailureMessage(context: AuthFailureContext): string {
  const client = { id: context.clientId, mode: context.clientMode };
  const isCli = isCliClient(client);
  const isUi = isOperatorUiClient(client) || isWebchatClient(client);
  const tokenHint = isCli
    ? context.directLocal
      ? "use this gateway's gateway.auth.token or pair the device"
      : "set gateway.remote.token to match gateway.auth.token"
    : isUi
      ? "open the dashboard URL and paste the token in Control UI settings"
      : "provide gateway auth token";
  const passwordHint = isCli
    ? context.directLocal
      ? "use this gateway's gateway.auth.password"
      : "set gateway.remote.password to match gateway.auth.password"
    : isUi
      ? "enter the password in Control UI settings"
      : "provide gateway auth password";
  switch (context.reason) {
    case "token_missing":
      return `unauthorized: gateway token missing (${
        isUi ? "paste in Control UI settings or openclaw doctor --generate-gateway-token; restart" : tokenHint
      })`;
    case "token_mismatch":
      return `unauthorized: gateway token mismatch (${tokenHint})`;
    case "token_missing_config":
      return "unauthorized: gateway token not configured on gateway (set gateway.auth.token)";
    case "password_missing":
      return `unauthorized: gateway password missing (${passwordHint})`;
    case "password_mismatch":
      return `unauthorized: gateway password mismatch (${passwordHint})`;
    case "password_missing_config":
      return "unauthorized: gateway password not configured on gateway (set gateway.auth.password)";
    case "rate_limited":
      return "unauthorized: too many failed authentication attempts (retry later)";
    case "device_token_mismatch":
      return "unauthorized: device token mismatch (rotate/reissue device token)";
    case "scope_mismatch":
      return "unauthorized: device token scope mismatch (re-pair or approve scope upgrade)";
  }
}

/**
 * The connect refusal for an auth failure: `INVALID_REQUEST` (not `FORBIDDEN`, as in
 * OpenClaw) with details `{code, authReason, canRetryWithDeviceToken,
 * recommendedNextStep}`, close 1008 with the message.
 */
export function authFailureRejection(context: AuthFailureContext): ConnectRejection {
  // A device holding a stored device token may retry with it after a shared-token mismatch.
  const canRetryWithDeviceToken =
    context.reason === "token_mismatch" &&
    context.hasDeviceIdentity &&
    context.auth?.password === undefined &&
    (context.auth?.token ?? "") !== "" &&
    (context.auth?.deviceToken ?? "") === "";
  const message = authFailureMessage(context);
  const rateLimited = context.reason === "rate_limited";
  return connectRejection(
    ErrorCodes.INVALID_REQUEST,
    message,
    {
      code: DETAIL_CODE[context.reason],
      authReason: context.reason,
      canRetryWithDeviceToken,
      recommendedNextStep: canRetryWithDeviceToken ? "retry_with_device_token" : NEXT_STEP[context.reason],
    },
    rateLimited ? { retryable: true, retryAfterMs: context.retryAfterMs } : {},
  );
}

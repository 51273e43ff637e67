import { createHash, timingSafeEqual } from "node:crypto";
import type { ConnectAuth } from "@clawbridge/protocol";

/** The gateway's shared-secret configuration (`gateway.auth.mode` + secret). */
export type SharedSecretConfig =
  | { readonly mode: "token"; readonly token: string }
  | { readonly mode: "password"; readonly password: string }
  | { readonly mode: "none" };

/** Why a shared-secret check failed (OpenClaw's internal reason strings). */
export type SharedSecretFailureReason =
  | "token_missing"
  | "token_mismatch"
  | "token_missing_config"
  | "password_missing"
  | "password_mismatch"
  | "password_missing_config";

/** Result of {@link checkSharedSecret}. */
export type SharedSecretResult =
  | { readonly ok: true; readonly method: "none" | "token" | "password"; readonly sharedSecretUsed: boolean }
  | { readonly ok: false; readonly reason: SharedSecretFailureReason };

/**
 * Constant-time string equality: both sides are hashed to equal-length SHA-256 digests
 * first, so neither the content nor the length of the secret leaks through timing.
 */
export function safeEqualSecret(provided: string, expected: string): boolean {
  const a = createHash("sha256").update(provided, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

/**
 * Checks `connect.params.auth` against the configured shared secret. The field of the
 * active mode is used, falling back to the other one (`auth.token` may carry the
 * password and vice versa, as OpenClaw allows).
 *
 * @param config - the gateway's auth mode and secret
 * @param auth - `connect.params.auth`
 */
export function checkSharedSecret(config: SharedSecretConfig, auth: ConnectAuth | undefined): SharedSecretResult {
  if (config.mode === "none") return { ok: true, method: "none", sharedSecretUsed: false };
  const token = present(auth?.token);
  const password = present(auth?.password);
  if (config.mode === "token") {
    if (present(config.token) === undefined) return { ok: false, reason: "token_missing_config" };
    const candidate = token ?? password;
    if (candidate === undefined) return { ok: false, reason: "token_missing" };
    return safeEqualSecret(candidate, config.token.trim())
      ? { ok: true, method: "token", sharedSecretUsed: true }
      : { ok: false, reason: "token_mismatch" };
  }
  if (present(config.password) === undefined) return { ok: false, reason: "password_missing_config" };
  const candidate = password ?? token;
  if (candidate === undefined) return { ok: false, reason: "password_missing" };
  return safeEqualSecret(candidate, config.password.trim())
    ? { ok: true, method: "password", sharedSecretUsed: true }
    : { ok: false, reason: "password_mismatch" };
}

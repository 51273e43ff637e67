import {
  CredentialStore,
  effectiveSkillPolicy,
  RemoteId,
  RemoteStore,
  resolveRemote,
  storeSlotForRemote,
} from "@clawbridge/client";
import type { EffectiveSkillPolicy, GatewayClientOptions, RemoteProfile } from "@clawbridge/client";
import { credentialsError, usageError } from "@clawbridge/cli-contract";
import { echoInput } from "./echo-input.js";

/** Overall budget of one verb when neither `--timeout` nor the profile sets one (ms). */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** A remote profile as loaded for one verb: no secret resolved yet. */
export interface RemoteContext {
  readonly id: string;
  readonly profile: RemoteProfile;
  /** The profile's skill policy, defaults applied. */
  readonly policy: EffectiveSkillPolicy;
  /** The profile's call budget (ms), if set. */
  readonly timeoutMs: number | undefined;
}

/**
 * Loads remote `id` from `remotes.json` (`$CLAWBRIDGE_CONFIG_DIR` or the XDG config
 * dir) without resolving its secrets, so policy can refuse a verb before any secret
 * command runs or any socket opens.
 *
 * @throws CliError `INVALID_REMOTE_ID`, RemoteProfileError `UNKNOWN_REMOTE` / `INVALID_REMOTES_FILE` (all exit 2)
 */
export async function loadRemote(id: string, env: NodeJS.ProcessEnv = process.env): Promise<RemoteContext> {
  const parsed = RemoteId.safeParse(id);
  if (!parsed.success) {
    // The rule as the one schema states it ("remote id must be 1-64 of … starting with a letter or digit").
    const rule = parsed.error.issues[0]?.message ?? "not a valid remote id";
    throw usageError("INVALID_REMOTE_ID", `${JSON.stringify(echoInput(id))} is not a remote id: ${rule} (see: remote-gateway remotes)`);
  }
  const store = new RemoteStore({ env });
  const profile = await store.get(id);
  return {
    id,
    profile,
    policy: effectiveSkillPolicy(profile.skill),
    timeoutMs: profile.timeoutMs,
  };
}

/**
 * Client options of the remote with its secrets resolved from the profile's own sources
 * (env var, 0600 file, secret-manager command — never argv, never ambient
 * `OPENCLAW_GATEWAY_TOKEN`). Each secret is handed to `register` (the output redactor)
 * before anything can print it.
 */
export async function resolveConnection(
  context: RemoteContext,
  register: (secret: string | undefined) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GatewayClientOptions> {
  const resolved = await resolveRemote(context.id, { env });
  register(resolved.token);
  register(resolved.password);
  for (const value of Object.values(resolved.headers ?? {})) register(value);
  if (resolved.token === undefined && resolved.password === undefined && !(await hasStoredDeviceToken(context.id, resolved.configDir, resolved.device))) {
    // Like `clawbridge gateway call`: nothing to authenticate with is a local error (exit 2), not a round trip.
    throw credentialsError(
      "CREDENTIALS_REQUIRED",
      `remote ${context.id} has no token or password source and no stored device token (ambient OPENCLAW_GATEWAY_TOKEN is never used for a remote)`,
    );
  }
  const { remoteId: _remoteId, timeoutMs: _timeoutMs, ...options } = resolved;
  return options;
}

/** Whether a device token issued earlier (by `clawbridge gateway pair`) is stored for this remote. */
async function hasStoredDeviceToken(id: string, configDir: string | undefined, device: string | undefined): Promise<boolean> {
  if (device === "never" || configDir === undefined) return false;
  const store = new CredentialStore(configDir, storeSlotForRemote(id));
  const identity = await store.loadIdentity().catch(() => undefined);
  return identity !== undefined && (await store.loadDeviceToken(identity.deviceId, "operator")) !== undefined;
}

import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { storeSlotForRemote } from "./credential-store.js";
import { GatewayClientError } from "./errors.js";
import type { GatewayClientOptions } from "./client-options.js";
import { passwordSourceOf, resolveUpgradeHeaders, tokenSourceOf } from "./remote-profile.js";
import { RemoteStore } from "./remote-store.js";
import { resolveSecret } from "./secret-source.js";
import type { ResolveSecretOptions, SecretSource } from "./secret-source.js";

/** Options of {@link resolveRemote}. */
export interface ResolveRemoteOptions {
  /** Config dir (default: `$CLAWBRIDGE_CONFIG_DIR` or XDG). */
  configDir?: string | undefined;
  /** Environment for `tokenEnv`/`passwordEnv` and secret commands. Default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /**
   * Upper bound (ms) on the profile's secret commands (token, password, headers), below
   * their own timeouts: a number, or a function of the profile's default call timeout
   * (`timeoutMs`) that returns what is left of the caller's overall deadline.
   */
  maxCommandTimeoutMs?: number | ((profileTimeoutMs: number | undefined) => number) | undefined;
}

/**
 * Connection options of a named remote, secrets resolved. Spread it into
 * `GatewayClientOptions` (or pass to `GatewayClient.callOnce`).
 */
export interface ResolvedRemote
  extends Pick<
    GatewayClientOptions,
    | "url"
    | "token"
    | "password"
    | "tlsFingerprint"
    | "ca"
    | "scopeCeiling"
    | "allowInsecurePlaintext"
    | "device"
    | "configDir"
    | "credentialSlot"
    | "headers"
  > {
  /** The profile id. */
  readonly remoteId: string;
  /** The profile's default call timeout (ms), if set. */
  readonly timeoutMs: number | undefined;
}

function relativeToConfig(source: SecretSource | undefined, configDir: string): SecretSource | undefined {
  if (source?.kind !== "file" || isAbsolute(source.path)) return source;
  return { kind: "file", path: join(configDir, source.path) };
}

/**
 * Loads remote `id` from `remotes.json` and resolves its secrets and header values (env
 * var, 0600 file, or secret-manager command). Only the profile's own sources are consulted: ambient
 * credentials such as `OPENCLAW_GATEWAY_TOKEN` (on a worker node, the secret of its
 * *own* gateway) are never used for a named remote. Device state lives in the
 * `remote-<id>` slot. Throws `RemoteProfileError` / `SecretSourceError`.
 */
export async function resolveRemote(id: string, options: ResolveRemoteOptions = {}): Promise<ResolvedRemote> {
  const store = new RemoteStore({ configDir: options.configDir, env: options.env });
  const profile = await store.get(id);
  const configDir = store.configDir;
  const cap = options.maxCommandTimeoutMs;
  // Evaluated before each secret: a deadline's remainder shrinks as they resolve.
  const secretOptions = (): ResolveSecretOptions => ({
    env: options.env,
    cwd: configDir,
    maxCommandTimeoutMs: typeof cap === "function" ? cap(profile.timeoutMs) : cap,
  });
  const tokenSource = relativeToConfig(tokenSourceOf(profile.auth), configDir);
  const passwordSource = relativeToConfig(passwordSourceOf(profile.auth), configDir);
  const resolved: {
    -readonly [K in keyof ResolvedRemote]: ResolvedRemote[K];
  } = {
    remoteId: id,
    url: profile.url,
    configDir,
    credentialSlot: storeSlotForRemote(id),
    timeoutMs: profile.timeoutMs,
  };
  if (tokenSource !== undefined) resolved.token = await resolveSecret(tokenSource, secretOptions());
  if (passwordSource !== undefined) resolved.password = await resolveSecret(passwordSource, secretOptions());
  if (profile.headers !== undefined) {
    resolved.headers = await resolveUpgradeHeaders(profile.headers, { ...secretOptions(), commandTimeoutMs: profile.auth?.commandTimeoutMs });
  }
  if (profile.tlsFingerprint !== undefined) resolved.tlsFingerprint = profile.tlsFingerprint;
  if (profile.scopes !== undefined) resolved.scopeCeiling = profile.scopes;
  if (profile.allowInsecurePlaintext !== undefined) resolved.allowInsecurePlaintext = profile.allowInsecurePlaintext;
  if (profile.device !== undefined) resolved.device = profile.device;
  if (profile.caFile !== undefined) {
    const path = isAbsolute(profile.caFile) ? profile.caFile : join(configDir, profile.caFile);
    try {
      resolved.ca = await readFile(path, "utf8");
    } catch (error) {
      throw new GatewayClientError("CA_FILE_UNREADABLE", `cannot read CA file ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
  return resolved;
}

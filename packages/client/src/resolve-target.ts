import { DEFAULT_GATEWAY_PORT } from "@clawbridge/protocol";
import { resolveConfigDir } from "./config-dir.js";
import { GatewayClientError } from "./errors.js";
import type { GatewayClientOptions } from "./client-options.js";
import { resolveRemote } from "./resolve-remote.js";
import type { ResolveRemoteOptions } from "./resolve-remote.js";
import { resolveSecret } from "./secret-source.js";
import type { SecretSource } from "./secret-source.js";

/** Ambient variables of the *local* gateway (OpenClaw's names). */
export const AMBIENT_ENV = {
  URL: "OPENCLAW_GATEWAY_URL",
  PORT: "OPENCLAW_GATEWAY_PORT",
  TOKEN: "OPENCLAW_GATEWAY_TOKEN",
  PASSWORD: "OPENCLAW_GATEWAY_PASSWORD",
} as const;

/** What the caller (usually the CLI) asked for. Secrets may be given as values or as sources. */
export interface TargetRequest {
  /** Explicit URL (`--url`). */
  url?: string | undefined;
  /** Named remote profile (`--remote`). */
  remote?: string | undefined;
  /** Explicit token: a value, or where to read it (`--token-file`, `--token-env`, stdin handled by the caller). */
  token?: string | SecretSource | undefined;
  /** Explicit password, as for `token`. */
  password?: string | SecretSource | undefined;
}

/** Where the URL came from (for messages). */
export type UrlSource = "cli --url" | "remote profile" | "env OPENCLAW_GATEWAY_URL" | "local loopback";

/** Where the credentials came from (for messages; never the values). */
export type CredentialOrigin = "explicit" | "remote profile" | "ambient env" | "none";

/** Options for a `GatewayClient`, plus provenance. */
export interface ResolvedTarget {
  readonly options: GatewayClientOptions;
  readonly urlSource: UrlSource;
  readonly credentialOrigin: CredentialOrigin;
  /** The profile's id, when a remote was named. */
  readonly remoteId: string | undefined;
  /** The profile's default timeout (ms), when set. */
  readonly timeoutMs: number | undefined;
}

/** Options of {@link resolveTarget}. */
export interface ResolveTargetOptions {
  env?: NodeJS.ProcessEnv | undefined;
  configDir?: string | undefined;
  /** Base for relative secret file paths given explicitly. Default `process.cwd()`. */
  cwd?: string | undefined;
  /** A named remote's cap on its secret commands (see `ResolveRemoteOptions.maxCommandTimeoutMs`). */
  maxCommandTimeoutMs?: ResolveRemoteOptions["maxCommandTimeoutMs"];
}

async function explicitSecret(value: string | SecretSource | undefined, options: ResolveTargetOptions): Promise<string | undefined> {
  if (value === undefined) return undefined;
  if (typeof value === "string") return value.trim().length === 0 ? undefined : value.trim();
  return resolveSecret(value, { env: options.env, cwd: options.cwd });
}

function localUrl(env: NodeJS.ProcessEnv): string {
  const port = env[AMBIENT_ENV.PORT]?.trim();
  if (port !== undefined && /^\d{1,5}$/.test(port)) return `ws://127.0.0.1:${port}`;
  return `ws://127.0.0.1:${DEFAULT_GATEWAY_PORT}`;
}

/**
 * Resolves the target and credentials with OpenClaw's rules, made strict:
 *
 * * `--url` and `--remote` are exclusive.
 * * A named remote uses its profile's secret sources (explicit token/password override
 *   them). **Never** `OPENCLAW_GATEWAY_TOKEN`/`_PASSWORD`.
 * * An explicit URL uses only explicit credentials (or the stored device token).
 *   **Never** the ambient variables: on a worker node they are the secret of its own
 *   gateway and must not be sent to another one.
 * * Neither: `OPENCLAW_GATEWAY_URL`, else `ws://127.0.0.1:<OPENCLAW_GATEWAY_PORT|18789>`,
 *   with explicit credentials or else the ambient `OPENCLAW_GATEWAY_TOKEN`/`_PASSWORD`
 *   (that is the local gateway they belong to).
 */
export async function resolveTarget(request: TargetRequest, options: ResolveTargetOptions = {}): Promise<ResolvedTarget> {
  const env = options.env ?? process.env;
  if (request.url !== undefined && request.remote !== undefined) {
    throw new GatewayClientError("USAGE", "use either --url or --remote, not both");
  }
  const token = await explicitSecret(request.token, options);
  const password = await explicitSecret(request.password, options);
  const explicit = token !== undefined || password !== undefined;
  const withCredentials = (base: GatewayClientOptions): GatewayClientOptions => ({
    ...base,
    ...(token === undefined ? {} : { token }),
    ...(password === undefined ? {} : { password }),
  });

  if (request.remote !== undefined) {
    const { remoteId, timeoutMs, ...profile } = await resolveRemote(request.remote, {
      configDir: options.configDir,
      env,
      maxCommandTimeoutMs: options.maxCommandTimeoutMs,
    });
    const fromProfile = profile.token !== undefined || profile.password !== undefined;
    const merged: GatewayClientOptions = explicit
      ? withCredentials({ ...profile, token: undefined, password: undefined })
      : profile;
    return {
      options: merged,
      urlSource: "remote profile",
      credentialOrigin: explicit ? "explicit" : fromProfile ? "remote profile" : "none",
      remoteId,
      timeoutMs,
    };
  }
  // Resolved here so the returned options never carry the environment itself.
  const configDir = { configDir: resolveConfigDir({ configDir: options.configDir, env }) };
  if (request.url !== undefined) {
    return {
      options: withCredentials({ url: request.url, ...configDir }),
      urlSource: "cli --url",
      credentialOrigin: explicit ? "explicit" : "none",
      remoteId: undefined,
      timeoutMs: undefined,
    };
  }
  const envUrl = env[AMBIENT_ENV.URL]?.trim();
  const url = envUrl !== undefined && envUrl.length > 0 ? envUrl : localUrl(env);
  const urlSource: UrlSource = envUrl !== undefined && envUrl.length > 0 ? "env OPENCLAW_GATEWAY_URL" : "local loopback";
  if (explicit) {
    return { options: withCredentials({ url, ...configDir }), urlSource, credentialOrigin: "explicit", remoteId: undefined, timeoutMs: undefined };
  }
  const ambientToken = env[AMBIENT_ENV.TOKEN]?.trim() || undefined;
  const ambientPassword = env[AMBIENT_ENV.PASSWORD]?.trim() || undefined;
  return {
    options: {
      url,
      ...configDir,
      ...(ambientToken === undefined ? {} : { token: ambientToken }),
      ...(ambientPassword === undefined ? {} : { password: ambientPassword }),
    },
    urlSource,
    credentialOrigin: ambientToken !== undefined || ambientPassword !== undefined ? "ambient env" : "none",
    remoteId: undefined,
    timeoutMs: undefined,
  };
}

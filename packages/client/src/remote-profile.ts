import { lazySchema } from "@clawbridge/protocol";
import * as z from "zod";
import { edgeHeadersTransportProblem, parseGatewayUrl } from "./gateway-url.js";
import { normalizeTlsFingerprint } from "./tls-pinning.js";
import { RemoteSkillPolicy } from "./remote-skill-policy.js";
import { resolveSecret } from "./secret-source.js";
import type { ResolveSecretOptions, SecretSource } from "./secret-source.js";

/** A remote id: 1–64 of `A–Z a–z 0–9 . _ -`, starting alphanumeric (it names a store slot). */
export const RemoteId = lazySchema(() =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "remote id must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit"),
);

const envName = () => z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");
const path = () => z.string().min(1);
/** A secret command: a string (split without a shell) or an argv array. */
const command = () => z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/**
 * Where the profile's secrets come from. At most one token source and one password
 * source; secrets themselves are never stored in `remotes.json`.
 */
export const RemoteAuth = lazySchema(() =>
  z
    .strictObject({
      /** Read the token from this environment variable. */
      tokenEnv: envName().optional(),
      /** Read the token from this file (mode 0600; relative paths are relative to the config dir). */
      tokenFile: path().optional(),
      /** Run this command (no shell) and use its trimmed stdout as the token, e.g. `op read op://vault/gw2/token`. */
      tokenCommand: command().optional(),
      passwordEnv: envName().optional(),
      passwordFile: path().optional(),
      passwordCommand: command().optional(),
      /** Timeout of a secret command (ms). Default 10000. */
      commandTimeoutMs: z.int().min(1).max(300_000).optional(),
    })
    .superRefine((auth, ctx) => {
      const tokens = [auth.tokenEnv, auth.tokenFile, auth.tokenCommand].filter((v) => v !== undefined).length;
      const passwords = [auth.passwordEnv, auth.passwordFile, auth.passwordCommand].filter((v) => v !== undefined).length;
      if (tokens > 1) ctx.addIssue({ code: "custom", message: "at most one of tokenEnv, tokenFile, tokenCommand" });
      if (passwords > 1) ctx.addIssue({ code: "custom", message: "at most one of passwordEnv, passwordFile, passwordCommand" });
    }),
);
export type RemoteAuth = z.infer<typeof RemoteAuth>;

/**
 * Where a secret comes from, as written in a config file: `{file: path}`, `{env: NAME}` or
 * `{command: "op read op://…"}` (argv array also accepted; run without a shell). Inline
 * secrets are refused on purpose: a config file gets copied, diffed and pasted into tickets
 * far more often than a secret file does. Used for header values of remote profiles and
 * for the relay's upstream credentials and headers.
 */
export const SecretRef = lazySchema(() =>
  z.union(
    [
      z.strictObject({ file: path() }),
      z.strictObject({ env: envName() }),
      z.strictObject({
        command: command(),
        /** Command timeout (ms). Default 10 000. */
        timeoutMs: z.int().min(1).max(300_000).optional(),
      }),
    ],
    { error: "expected {file: <path>}, {env: <NAME>} or {command: <cmd>}; inline secrets are not allowed" },
  ),
);
export type SecretRef = z.infer<typeof SecretRef>;

/** The {@link SecretSource} of a {@link SecretRef}. */
export function secretSourceOfRef(ref: SecretRef): SecretSource {
  if ("env" in ref) return { kind: "env", name: ref.env };
  if ("file" in ref) return { kind: "file", path: ref.file };
  return { kind: "command", command: ref.command, timeoutMs: ref.timeoutMs };
}

/** Request headers the WebSocket handshake sets itself, or that would break the upgrade. */
const HANDSHAKE_HEADERS = new Set([
  "host",
  "connection",
  "upgrade",
  "content-length",
  "transfer-encoding",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
]);

/** An HTTP header name: an RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Why `name` cannot be an extra header on a gateway's upgrade request, or undefined when it can. */
function upgradeHeaderNameProblem(name: string): string | undefined {
  if (!HEADER_NAME.test(name)) return "must be an HTTP header name";
  if (HANDSHAKE_HEADERS.has(name.toLowerCase())) return "is set by the WebSocket handshake itself";
  return undefined;
}

/**
 * Headers for a gateway's upgrade request, for an edge in front of it (Cloudflare Access
 * service tokens, an authenticating proxy): header name → {@link SecretRef} of its value.
 * Names must be HTTP header names other than the handshake's own.
 */
export const UpgradeHeaders = lazySchema(() =>
  z.record(z.string(), SecretRef).superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      const problem = upgradeHeaderNameProblem(name);
      if (problem !== undefined) ctx.addIssue({ code: "custom", path: [name], message: problem });
    }
  }),
);
export type UpgradeHeaders = z.infer<typeof UpgradeHeaders>;

/** Resolves every value of {@link UpgradeHeaders} (relative files against `options.cwd`). */
export async function resolveUpgradeHeaders(headers: UpgradeHeaders, options: ResolveSecretOptions): Promise<Record<string, string>> {
  const resolved: Record<string, string> = {};
  for (const [name, ref] of Object.entries(headers)) resolved[name] = await resolveSecret(secretSourceOfRef(ref), options);
  return resolved;
}

/** The longest default call timeout a remote profile may set (ms): one hour. */
export const MAX_PROFILE_TIMEOUT_MS = 3_600_000;

/** One remote gateway. Closed: unknown keys (e.g. an inline `token`) are rejected. */
export const RemoteProfile = lazySchema(() =>
  z
    .strictObject({
      /** `ws://` or `wss://` URL of the gateway (no credentials in it). */
      url: z.string().min(1),
      /** Free text shown by `list`/`show`. */
      description: z.string().max(200).optional(),
      /** Secret sources. Absent: connect with the stored device token only. */
      auth: RemoteAuth.optional(),
      /** SHA-256 pin of the gateway's certificate (64 hex or 32 colon pairs, optional `sha256:`); requires `wss://`. */
      tlsFingerprint: z.string().optional(),
      /** PEM file of a custom CA for `wss://` (relative to the config dir). */
      caFile: path().optional(),
      /** Scope ceiling: the most this remote may ever be asked for (e.g. `["operator.read","operator.write"]`). */
      scopes: z.array(z.string().startsWith("operator.")).optional(),
      /** Allow plaintext `ws://` to a public host. Default false. */
      allowInsecurePlaintext: z.boolean().optional(),
      /** Device identity use (`auto`, `always`, `never`); see `GatewayClientOptions.device`. Default `auto`. */
      device: z.enum(["auto", "always", "never"]).optional(),
      /** Default call timeout for this remote (ms). */
      timeoutMs: z.int().min(1).max(MAX_PROFILE_TIMEOUT_MS).optional(),
      /** Headers on the upgrade request, for an edge in front of the gateway (see {@link UpgradeHeaders}); need `wss://` or a loopback `ws://`. */
      headers: UpgradeHeaders.optional(),
      /** What the `remote-gateway` skill may do here beyond read-only verbs (see {@link RemoteSkillPolicy}). */
      skill: RemoteSkillPolicy.optional(),
    })
    .superRefine((profile, ctx) => {
      try {
        const url = parseGatewayUrl(profile.url);
        if (profile.tlsFingerprint !== undefined && url.protocol !== "wss:") {
          ctx.addIssue({ code: "custom", path: ["tlsFingerprint"], message: "gateway tls fingerprint requires wss:// gateway url" });
        }
        const headersProblem = profile.headers === undefined ? undefined : edgeHeadersTransportProblem(url);
        if (headersProblem !== undefined) ctx.addIssue({ code: "custom", path: ["headers"], message: headersProblem });
      } catch (error) {
        ctx.addIssue({ code: "custom", path: ["url"], message: (error as Error).message });
      }
      if (profile.tlsFingerprint !== undefined) {
        try {
          normalizeTlsFingerprint(profile.tlsFingerprint);
        } catch (error) {
          ctx.addIssue({ code: "custom", path: ["tlsFingerprint"], message: (error as Error).message });
        }
      }
    }),
);
export type RemoteProfile = z.infer<typeof RemoteProfile>;

/** `remotes.json`: `{ "version": 1, "remotes": { "<id>": RemoteProfile } }`. */
export const RemotesFile = lazySchema(() =>
  z.strictObject({
    version: z.literal(1).default(1),
    remotes: z.record(RemoteId, RemoteProfile).default({}),
  }),
);
export type RemotesFile = z.infer<typeof RemotesFile>;

/** The token source of a profile, if any. */
export function tokenSourceOf(auth: RemoteAuth | undefined): SecretSource | undefined {
  if (auth?.tokenEnv !== undefined) return { kind: "env", name: auth.tokenEnv };
  if (auth?.tokenFile !== undefined) return { kind: "file", path: auth.tokenFile };
  if (auth?.tokenCommand !== undefined) return { kind: "command", command: auth.tokenCommand, timeoutMs: auth.commandTimeoutMs };
  return undefined;
}

/** The password source of a profile, if any. */
export function passwordSourceOf(auth: RemoteAuth | undefined): SecretSource | undefined {
  if (auth?.passwordEnv !== undefined) return { kind: "env", name: auth.passwordEnv };
  if (auth?.passwordFile !== undefined) return { kind: "file", path: auth.passwordFile };
  if (auth?.passwordCommand !== undefined) {
    return { kind: "command", command: auth.passwordCommand, timeoutMs: auth.commandTimeoutMs };
  }
  return undefined;
}

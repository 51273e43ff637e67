import {
  AMBIENT_ENV,
  CallTimeoutError,
  CredentialStore,
  displayUrl,
  GatewayUrlError,
  normalizeTlsFingerprint,
  parseGatewayUrl,
  resolveTarget,
  SecretSourceError,
  storeSlotForUrl,
} from "@clawbridge/client";
import type { GatewayClientOptions, ResolvedTarget } from "@clawbridge/client";
import { credentialsError, usageError } from "@clawbridge/cli-contract";
import type { GatewayTarget } from "@clawbridge/cli-contract";
import type { Output } from "./output.js";
import { parsePort, parseTimeoutMs } from "./parse-numbers.js";
import { argvSecretWarning, secretInputOf, secretSpecOf } from "./secret-options.js";
import type { SecretSpec } from "./secret-options.js";
import type { TargetFlags } from "./target-flags.js";

/** The secret specs of the flags, with the argv warnings printed. Call before reading stdin. */
export interface SecretPlan {
  readonly token: SecretSpec | undefined;
  readonly password: SecretSpec | undefined;
  /** The options that want standard input (`--token -`, `--password -`). */
  readonly stdinClaims: string[];
}

/** Parses the secret flags and warns (stderr) about secrets given literally on argv. */
export function planSecrets(flags: TargetFlags, output: Output): SecretPlan {
  const token = secretSpecOf("token", { value: flags.token, env: flags.tokenEnv, file: flags.tokenFile });
  const password = secretSpecOf("password", { value: flags.password, env: flags.passwordEnv, file: flags.passwordFile });
  const stdinClaims: string[] = [];
  if (token?.kind === "stdin") stdinClaims.push("--token -");
  if (password?.kind === "stdin") stdinClaims.push("--password -");
  if (token?.kind === "argv") {
    output.redactor.add(token.value);
    output.warn(argvSecretWarning("token"));
  }
  if (password?.kind === "argv") {
    output.redactor.add(password.value);
    output.warn(argvSecretWarning("password"));
  }
  return { token, password, stdinClaims };
}

/** Everything needed to open a connection. */
export interface ResolvedConnection {
  /** Options for `GatewayClient` / `GatewayClient.callOnce` (secrets resolved). */
  readonly options: GatewayClientOptions;
  /** Display URL and its source, for messages and transport envelopes. */
  readonly target: GatewayTarget;
  /** The exact resolved URL string (what `--expect-url` compares with). */
  readonly url: string;
  readonly remoteId: string | undefined;
  /** Overall timeout (ms): `--timeout`, else the remote's `timeoutMs`, else the command default. */
  readonly timeoutMs: number;
  /**
   * What is left of {@link timeoutMs} (ms, at least 1): the deadline started when the
   * connection began to resolve, so a slow secret command counts against it.
   */
  remainingMs(): number;
}

/** Inputs of {@link resolveConnection}. */
export interface ResolveConnectionInput {
  readonly flags: TargetFlags;
  readonly secrets: SecretPlan;
  /** Standard input, when a secret claimed it. */
  readonly stdinText: string | undefined;
  readonly output: Output;
  /** Default overall timeout (ms). */
  readonly defaultTimeoutMs: number;
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/**
 * Resolves target and credentials with OpenClaw's precedence, made strict
 * (`resolveTarget` of `@clawbridge/client`): `--url` and `--remote` never use the
 * ambient `OPENCLAW_GATEWAY_TOKEN`/`_PASSWORD`; `--port` (or nothing) targets the local
 * gateway, whose ambient credentials they are. Every secret is registered with the
 * output's redactor. The overall timeout starts here: a secret command gets at most what
 * is left of it, and one it cuts short is a timeout (`CallTimeoutError`, exit 5).
 */
export async function resolveConnection(input: ResolveConnectionInput): Promise<ResolvedConnection> {
  const { flags, output } = input;
  const started = performance.now();
  let env = input.env ?? process.env;
  const url = flags.url?.trim() === "" ? undefined : flags.url;
  if (url !== undefined && flags.port !== undefined) throw usageError("CONFLICTING_OPTIONS", "Use either --url or --port, not both.");
  if (url !== undefined && flags.remote !== undefined) throw usageError("CONFLICTING_OPTIONS", "Use either --url or --remote, not both.");
  if (flags.remote !== undefined && flags.port !== undefined) throw usageError("CONFLICTING_OPTIONS", "Use either --remote or --port, not both.");
  if (flags.port !== undefined) {
    const port = parsePort(flags.port);
    // --port overrides OPENCLAW_GATEWAY_URL/_PORT, as in OpenClaw: the local gateway on this port.
    env = { ...env, OPENCLAW_GATEWAY_PORT: String(port) };
    delete env["OPENCLAW_GATEWAY_URL"];
  }
  const timeoutFlag = flags.timeout === undefined ? undefined : parseTimeoutMs(flags.timeout);
  const pin = flags.tlsFingerprint === undefined ? undefined : normalizeTlsFingerprint(flags.tlsFingerprint);
  if (url === undefined && flags.remote === undefined) checkLocalTargetEnv(env);

  // One deadline from here: a remote's timeoutMs is known once its profile is read.
  let budgetMs = timeoutFlag ?? input.defaultTimeoutMs;
  const remainingMs = (): number => Math.max(1, Math.floor(budgetMs - (performance.now() - started)));
  const token = secretInputOf("token", input.secrets.token, input.stdinText);
  const password = secretInputOf("password", input.secrets.password, input.stdinText);
  let resolved: ResolvedTarget;
  try {
    resolved = await resolveTarget(
      { url, remote: flags.remote, token, password },
      {
        env,
        maxCommandTimeoutMs: (profileTimeoutMs) => {
          budgetMs = timeoutFlag ?? profileTimeoutMs ?? input.defaultTimeoutMs;
          return remainingMs();
        },
      },
    );
  } catch (error) {
    // A secret command cut short by the overall deadline is a timeout (exit 5), not a bad source.
    if (error instanceof SecretSourceError && error.timedOut && performance.now() - started >= budgetMs - 50) {
      const timeout = new CallTimeoutError("connect", budgetMs, false, "connect");
      timeout.message = `gateway timeout after ${budgetMs}ms while resolving the secret: ${error.message} (request was not sent)`;
      throw timeout;
    }
    throw error;
  }
  const options: GatewayClientOptions = pin === undefined ? resolved.options : { ...resolved.options, tlsFingerprint: pin };
  output.redactor.add(options.token);
  output.redactor.add(options.password);
  for (const value of Object.values(options.headers ?? {})) output.redactor.add(value);
  const rawUrl = String(options.url);
  const target: GatewayTarget = { url: displayUrl(parseGatewayUrl(rawUrl)), urlSource: resolved.urlSource };
  return {
    options,
    target,
    url: rawUrl,
    remoteId: resolved.remoteId,
    timeoutMs: timeoutFlag ?? resolved.timeoutMs ?? input.defaultTimeoutMs,
    remainingMs,
  };
}

/**
 * `OPENCLAW_GATEWAY_URL` / `OPENCLAW_GATEWAY_PORT`, when they pick the target: a bad value
 * is a usage error naming the variable (not a silent fallback to port 18789, nor a URL
 * error that does not say where the URL came from).
 */
function checkLocalTargetEnv(env: NodeJS.ProcessEnv): void {
  const envUrl = env[AMBIENT_ENV.URL]?.trim();
  if (envUrl !== undefined && envUrl !== "") {
    try {
      parseGatewayUrl(envUrl);
    } catch (error) {
      if (!(error instanceof GatewayUrlError)) throw error;
      throw usageError("INVALID_URL", `${AMBIENT_ENV.URL}: ${error.message}`, { hint: `fix or unset ${AMBIENT_ENV.URL}, or pass --url / --remote` });
    }
    return;
  }
  const port = env[AMBIENT_ENV.PORT];
  if (port !== undefined && port.trim() !== "") parsePort(port, AMBIENT_ENV.PORT);
}

/**
 * Fails before any socket is opened when there is nothing to authenticate with: no
 * token, no password, and no device token stored for this target (OpenClaw's
 * `gateway <method> requires credentials before opening a websocket`).
 */
export async function requireCredentials(connection: ResolvedConnection, what: string): Promise<void> {
  const { options } = connection;
  if (options.token || options.password) return;
  if (options.device !== "never" && options.configDir !== undefined) {
    const slot = options.credentialSlot ?? storeSlotForUrl(connection.url);
    const store = new CredentialStore(options.configDir, slot);
    const identity = await store.loadIdentity().catch(() => undefined);
    if (identity !== undefined && (await store.loadDeviceToken(identity.deviceId, "operator")) !== undefined) return;
  }
  const base = `gateway ${what} requires credentials before opening a websocket`;
  switch (connection.target.urlSource) {
    case "cli --url":
      throw credentialsError("CREDENTIALS_REQUIRED", `${base}: --url never uses ambient credentials such as OPENCLAW_GATEWAY_TOKEN`, {
        hint: "pass --token-env <VAR>, --token-file <path> or --token - (stdin), or use a named remote: --remote <id>",
      });
    case "remote profile":
      throw credentialsError("CREDENTIALS_REQUIRED", `${base}: remote ${connection.remoteId ?? "?"} has no token or password source and no stored device token`, {
        hint: `give it a secret source (clawbridge remote add ${connection.remoteId ?? "<id>"} --url … --token-env <VAR> --replace) or pair it (clawbridge gateway pair --remote ${connection.remoteId ?? "<id>"})`,
      });
    default:
      throw credentialsError("CREDENTIALS_REQUIRED", `${base}: no --token/--password given and OPENCLAW_GATEWAY_TOKEN / OPENCLAW_GATEWAY_PASSWORD are not set`, {
        hint: "pass --token-env <VAR>, --token-file <path> or --token - (stdin)",
      });
  }
}

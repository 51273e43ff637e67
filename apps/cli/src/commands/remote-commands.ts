import { homedir } from "node:os";
import { resolve as resolvePath } from "node:path";
import { assertPlaintextAllowed, GatewayUrlError, InsecureTransportError, MAX_PROFILE_TIMEOUT_MS, parseGatewayUrl, RemoteProfileError, RemoteStore } from "@clawbridge/client";
import type { RemoteAuth, RemoteProfile, RemoteSummary, SecretRef, SecretSourceSummary } from "@clawbridge/client";
import { usageError } from "@clawbridge/cli-contract";
import type { Output } from "../output.js";
import type { ExitCode } from "@clawbridge/cli-contract";
import { parseTimeoutMs } from "../parse-numbers.js";
import { runCommand } from "../run-command.js";
import { parseScopeList } from "../scope-list.js";
import { renderTable } from "../table.js";

/** Flags shared by the `remote` commands. */
export interface RemoteFlags {
  json?: boolean | undefined;
}

/** Flags of `clawbridge remote add`. */
export interface RemoteAddFlags extends RemoteFlags {
  url: string;
  tokenEnv?: string | undefined;
  tokenFile?: string | undefined;
  tokenCommand?: string | undefined;
  passwordEnv?: string | undefined;
  passwordFile?: string | undefined;
  passwordCommand?: string | undefined;
  tlsFingerprint?: string | undefined;
  caFile?: string | undefined;
  /** `Name=env:VAR`, `Name=file:PATH` or `Name=command:CMD`, repeatable. */
  header?: string[] | undefined;
  scopes?: string | undefined;
  description?: string | undefined;
  device?: "auto" | "always" | "never" | undefined;
  timeout?: string | undefined;
  allowInsecurePlaintext?: boolean | undefined;
  replace?: boolean | undefined;
  /** Refused: profiles hold secret sources, never secrets. */
  token?: string | undefined;
  password?: string | undefined;
}

/** `env:NAME`, `file:/path` or `command:program` — never a secret. */
export function formatSecretSource(source: SecretSourceSummary | undefined): string | null {
  return source === undefined ? null : `${source.kind}:${source.name}`;
}

/**
 * One `--header Name=env:VAR|file:PATH|command:CMD`. Anything else is refused without
 * echoing what follows the `=`: a header value typed on the command line is a secret.
 */
function parseHeaderFlag(text: string): [string, SecretRef] {
  const equals = text.indexOf("=");
  const name = equals < 0 ? text : text.slice(0, equals);
  const source = equals < 0 ? "" : text.slice(equals + 1);
  const colon = source.indexOf(":");
  const kind = colon < 0 ? "" : source.slice(0, colon);
  const where = source.slice(colon + 1);
  if (name !== "" && where !== "") {
    if (kind === "env") return [name, { env: where }];
    if (kind === "file") return [name, { file: where }];
    if (kind === "command") return [name, { command: where }];
  }
  throw usageError("INVALID_HEADER", `--header ${JSON.stringify(name)}: expected Name=env:VAR, Name=file:PATH or Name=command:CMD`, {
    hint: "header values are secrets: profiles store where to read them, never the values",
  });
}

/** `Name=env:VAR` for each header (secret sources only). */
function formatHeaders(headers: RemoteSummary["headers"]): string[] | null {
  return headers === undefined ? null : Object.entries(headers).map(([name, source]) => `${name}=${formatSecretSource(source) ?? ""}`);
}

/** A profile summary as printed with `--json` (secret sources only). */
function summaryDocument(summary: RemoteSummary): Record<string, unknown> {
  return {
    id: summary.id,
    url: summary.url,
    description: summary.description ?? null,
    token: formatSecretSource(summary.token),
    password: formatSecretSource(summary.password),
    headers: formatHeaders(summary.headers),
    tlsFingerprint: summary.tlsFingerprint ?? null,
    caFile: summary.caFile ?? null,
    scopes: summary.scopes ?? null,
    allowInsecurePlaintext: summary.allowInsecurePlaintext,
    device: summary.device,
    timeoutMs: summary.timeoutMs ?? null,
  };
}

/**
 * A path typed to `remote add`, made absolute the way every other command reads such a
 * flag: a leading `~/` is the home directory (a shell does not expand it after
 * `--token-file=`), and a relative path is relative to the current directory. Stored as
 * is, it would later resolve against the config dir instead.
 */
function absolutePath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (path.trim() === "") throw usageError("INVALID_PATH", "a file option needs a path");
  if (path === "~" || path.startsWith("~/")) return resolvePath(homedir(), path.slice(2));
  return resolvePath(path);
}

/**
 * Warns (stderr) when a file the profile names cannot be used yet: missing, or (for
 * secrets) readable by group or others, which every call would refuse. Not an error: the
 * file may be created or fixed after the profile.
 */
async function warnAboutFile(output: Output, flag: string, path: string | undefined, secret: boolean): Promise<void> {
  if (path === undefined) return;
  const { stat } = await import("node:fs/promises");
  try {
    const info = await stat(path);
    const mode = info.mode & 0o777;
    if (!info.isFile()) output.warn(`warning: ${flag} ${path} is not a regular file; calls will fail until it is`);
    else if (secret && process.platform !== "win32" && (mode & 0o077) !== 0) {
      output.warn(`warning: ${flag} ${path} is accessible by group or others (mode ${mode.toString(8).padStart(4, "0")}); calls refuse it until: chmod 600 ${path}`);
    }
  } catch (error) {
    output.warn(`warning: ${flag} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}); calls will fail until it exists`);
  }
}

/** Refuses plaintext `ws://` to a public host now, not on every later call (unless `--allow-insecure-plaintext`). */
function checkTransport(url: string, allowInsecurePlaintext: boolean): void {
  try {
    assertPlaintextAllowed(parseGatewayUrl(url), allowInsecurePlaintext);
  } catch (error) {
    if (error instanceof GatewayUrlError) throw usageError("INVALID_URL", `--url: ${error.message}`);
    if (!(error instanceof InsecureTransportError)) throw error;
    throw usageError("INSECURE_PLAINTEXT", error.message.split(/\r?\n/, 1)[0] ?? error.message, {
      hint: "use wss:// (pin a self-signed certificate with --tls-fingerprint) or an SSH tunnel to a loopback port; --allow-insecure-plaintext sends the secret in clear",
    });
  }
}

/** Drops undefined values (profiles are closed objects under `exactOptionalPropertyTypes`). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}

/**
 * `clawbridge remote add <id>`: stores a profile in `remotes.json` (mode 0600). Secrets
 * are referenced by source (env var, 0600 file, secret-manager command), never stored.
 */
export function remoteAdd(id: string, flags: RemoteAddFlags): Promise<ExitCode> {
  return runCommand("Remote add failed", flags.json === true, async ({ output }) => {
    if (flags.token !== undefined || flags.password !== undefined) {
      throw usageError("SECRET_ON_ARGV", "remote profiles never hold secrets, only where to read them", {
        hint: "use --token-env <VAR>, --token-file <path> or --token-command '<cmd>' (same for --password-*)",
      });
    }
    checkTransport(flags.url, flags.allowInsecurePlaintext === true);
    const tokenFile = absolutePath(flags.tokenFile);
    const passwordFile = absolutePath(flags.passwordFile);
    const caFile = absolutePath(flags.caFile);
    const auth: RemoteAuth = defined({
      tokenEnv: flags.tokenEnv,
      tokenFile,
      tokenCommand: flags.tokenCommand,
      passwordEnv: flags.passwordEnv,
      passwordFile,
      passwordCommand: flags.passwordCommand,
    });
    const profile: RemoteProfile = defined({
      url: flags.url,
      description: flags.description,
      auth: Object.keys(auth).length === 0 ? undefined : auth,
      tlsFingerprint: flags.tlsFingerprint,
      caFile,
      headers: flags.header === undefined || flags.header.length === 0 ? undefined : Object.fromEntries(flags.header.map(parseHeaderFlag)),
      scopes: flags.scopes === undefined ? undefined : parseScopeList(flags.scopes),
      allowInsecurePlaintext: flags.allowInsecurePlaintext === true ? true : undefined,
      device: flags.device,
      timeoutMs: flags.timeout === undefined ? undefined : parseTimeoutMs(flags.timeout, "--timeout", MAX_PROFILE_TIMEOUT_MS),
    });
    const store = new RemoteStore();
    const summary = await store.add(id, profile, { replace: flags.replace === true }).catch((error: unknown) => {
      if (error instanceof RemoteProfileError && error.code === "REMOTE_EXISTS") {
        throw usageError("REMOTE_EXISTS", `remote ${id} already exists; pass --replace to overwrite it`, {
          hint: `see it with: clawbridge remote show ${id}`,
        });
      }
      throw error;
    });
    await warnAboutFile(output, "--token-file", tokenFile, true);
    await warnAboutFile(output, "--password-file", passwordFile, true);
    await warnAboutFile(output, "--ca-file", caFile, false);
    if (output.json) {
      output.document(summaryDocument(summary));
      return;
    }
    const token = formatSecretSource(summary.token);
    output.line(`${flags.replace === true ? "Saved" : "Added"} remote ${id}: ${summary.url}${token === null ? "" : ` (token from ${token})`}`);
    output.info(output.err.muted(`profiles: ${store.path}`));
  });
}

/** `clawbridge remote list`: every profile, secret sources only. */
export function remoteList(flags: RemoteFlags): Promise<ExitCode> {
  return runCommand("Remote list failed", flags.json === true, async ({ output }) => {
    const store = new RemoteStore();
    const remotes = await store.list();
    if (output.json) {
      output.document(remotes.map(summaryDocument));
      return;
    }
    if (remotes.length === 0) {
      output.info(`No remotes defined (${store.path}). Add one with: clawbridge remote add <id> --url wss://… --token-env <VAR>`);
      return;
    }
    const rows = remotes.map((remote) => [
      remote.id,
      remote.url,
      formatSecretSource(remote.token) ?? formatSecretSource(remote.password) ?? "device token only",
      remote.scopes?.join(",") ?? "-",
      remote.description ?? "",
    ]);
    for (const line of renderTable(["ID", "URL", "SECRET", "SCOPE CEILING", "DESCRIPTION"], rows)) output.line(line);
  });
}

/** `clawbridge remote show <id>`: one profile, secret sources only. */
export function remoteShow(id: string, flags: RemoteFlags): Promise<ExitCode> {
  return runCommand("Remote show failed", flags.json === true, async ({ output }) => {
    const summary = await new RemoteStore().show(id);
    const document = summaryDocument(summary);
    if (output.json) {
      output.document(document);
      return;
    }
    for (const [key, value] of Object.entries(document)) {
      if (value === null) continue;
      output.line(`${`${key}:`.padEnd(24)}${Array.isArray(value) ? value.join(", ") : String(value)}`);
    }
  });
}

/** `clawbridge remote remove <id>`: deletes a profile (its device identity and tokens stay on disk). */
export function remoteRemove(id: string, flags: RemoteFlags): Promise<ExitCode> {
  return runCommand("Remote remove failed", flags.json === true, async ({ output }) => {
    const removed = await new RemoteStore().remove(id);
    if (!removed) throw usageError("UNKNOWN_REMOTE", `unknown remote ${JSON.stringify(id)}`);
    if (output.json) output.document({ ok: true, removed: id });
    else output.line(`Removed remote ${id}`);
  });
}

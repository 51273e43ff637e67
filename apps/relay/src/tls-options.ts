import { X509Certificate, createPrivateKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import type { SecureContextOptions } from "node:tls";
import type { LoadedConfig } from "./config/load-config.js";
import { resolveConfigPath } from "./config/load-config.js";

/** The listener's TLS material and client-certificate policy, read from the configured files. */
export interface ListenerTls {
  readonly context: SecureContextOptions;
  /** Ask clients for a certificate (mTLS). */
  readonly requestCert: boolean;
  /** Refuse clients without a valid certificate. */
  readonly rejectUnauthorized: boolean;
}

/** What a PEM file must hold. */
export type PemKind = "certificate" | "private key" | "CA certificate";

/** A TLS file that cannot be read or does not hold what its setting needs. Names the setting and the file, never the content. */
export class TlsFileError extends Error {
  override readonly name = "TlsFileError";
  /** Dotted config path (`listen.tls.key`, `upstreams.gw2.ca`). */
  readonly setting: string;
  /** Absolute path of the file. */
  readonly file: string;
  /** `<file> <problem>`, without the setting (for messages that name it separately). */
  readonly detail: string;
  constructor(setting: string, file: string, problem: string) {
    super(`${setting}: ${file} ${problem}`);
    this.setting = setting;
    this.file = file;
    this.detail = `${file} ${problem}`;
  }
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Reads a PEM file and checks that it parses as `kind` (every certificate block of a
 * certificate or CA file; the key with `createPrivateKey`), so a garbage or swapped file is
 * reported with its setting and path instead of OpenSSL's `PEM routines::no start line`.
 *
 * @param setting - the config path, for the message
 * @param file - absolute path
 * @param kind - what the file must hold
 */
export async function readPemFile(setting: string, file: string, kind: PemKind): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    throw new TlsFileError(setting, file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if (kind === "private key") {
    try {
      createPrivateKey(data);
    } catch {
      throw new TlsFileError(setting, file, "is not a PEM private key");
    }
    return data;
  }
  const blocks = data.toString("utf8").match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) throw new TlsFileError(setting, file, `is not a PEM ${kind} (no BEGIN CERTIFICATE block)`);
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new TlsFileError(setting, file, `is not a PEM ${kind} (certificate block ${index + 1} does not parse)`);
    }
  });
  return data;
}

/**
 * Every problem of the `listen.tls` files (none when TLS is off): each file readable and
 * of its kind, and the key matching the certificate. Shared by start-up and `check`.
 */
export async function listenerTlsProblems(loaded: LoadedConfig): Promise<TlsFileError[]> {
  const problems: TlsFileError[] = [];
  await readListenerTlsFiles(loaded, problems);
  return problems;
}

async function readListenerTlsFiles(
  loaded: LoadedConfig,
  problems: TlsFileError[],
): Promise<{ cert: Buffer; key: Buffer; ca: Buffer | undefined } | undefined> {
  const tls = loaded.config.listen.tls;
  if (tls === undefined) return undefined;
  const read = async (setting: string, path: string | undefined, kind: PemKind): Promise<Buffer | undefined> => {
    if (path === undefined) return undefined;
    try {
      return await readPemFile(setting, resolveConfigPath(loaded, path), kind);
    } catch (error) {
      if (!(error instanceof TlsFileError)) throw error;
      problems.push(error);
      return undefined;
    }
  };
  const [cert, key, ca] = await Promise.all([
    read("listen.tls.cert", tls.cert, "certificate"),
    read("listen.tls.key", tls.key, "private key"),
    read("listen.tls.clientCa", tls.clientCa, "CA certificate"),
  ]);
  if (cert === undefined || key === undefined) return undefined;
  try {
    createSecureContext({ cert, key });
  } catch {
    problems.push(new TlsFileError("listen.tls.key", resolveConfigPath(loaded, tls.key), `does not match the certificate in ${resolveConfigPath(loaded, tls.cert)}`));
    return undefined;
  }
  if (tls.clientCa !== undefined && ca === undefined) return undefined;
  return { cert, key, ca };
}

/** Reads `listen.tls` files (undefined when TLS is off). Throws a {@link TlsFileError} naming the first bad file. */
export async function readListenerTls(loaded: LoadedConfig): Promise<ListenerTls | undefined> {
  const tls = loaded.config.listen.tls;
  if (tls === undefined) return undefined;
  const problems: TlsFileError[] = [];
  const files = await readListenerTlsFiles(loaded, problems);
  if (files === undefined) throw problems[0] ?? new Error("listen.tls: cannot read the TLS files");
  const context: SecureContextOptions = { cert: files.cert, key: files.key, minVersion: "TLSv1.2" };
  if (files.ca !== undefined) context.ca = files.ca;
  const requestCert = files.ca !== undefined;
  return { context, requestCert, rejectUnauthorized: requestCert && (tls.requireClientCert ?? true) };
}

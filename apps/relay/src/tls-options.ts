import { readFile } from "node:fs/promises";
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

/** Reads `listen.tls` files (undefined when TLS is off). Throws when a file is unreadable. */
export async function readListenerTls(loaded: LoadedConfig): Promise<ListenerTls | undefined> {
  const tls = loaded.config.listen.tls;
  if (tls === undefined) return undefined;
  const [cert, key, ca] = await Promise.all([
    readFile(resolveConfigPath(loaded, tls.cert)),
    readFile(resolveConfigPath(loaded, tls.key)),
    tls.clientCa === undefined ? Promise.resolve(undefined) : readFile(resolveConfigPath(loaded, tls.clientCa)),
  ]);
  const context: SecureContextOptions = { cert, key, minVersion: "TLSv1.2" };
  if (ca !== undefined) context.ca = ca;
  const requestCert = ca !== undefined;
  return { context, requestCert, rejectUnauthorized: requestCert && (tls.requireClientCert ?? true) };
}

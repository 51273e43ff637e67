import { isAbsolute, resolve } from "node:path";
import { SecretRef, secretSourceOfRef } from "@clawbridge/client";
import type { SecretSource } from "@clawbridge/client";

/** Where an upstream secret comes from (`{file}`, `{env}` or `{command}`; never inline): the client package's schema. */
export { SecretRef };

/**
 * The client package's {@link SecretSource} for a config reference; relative file paths
 * are taken relative to the config file's directory (not the process cwd, which differs
 * between a shell and a service manager).
 *
 * @param ref - the parsed reference
 * @param baseDir - directory of the config file
 */
export function toSecretSource(ref: SecretRef, baseDir: string): SecretSource {
  const source = secretSourceOfRef(ref);
  return source.kind === "file" && !isAbsolute(source.path) ? { kind: "file", path: resolve(baseDir, source.path) } : source;
}

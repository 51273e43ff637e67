import { resolveSecret } from "@clawbridge/client";
import { listenerTlsProblems, readPemFile, TlsFileError } from "../tls-options.js";
import type { ConfigIssue, LoadedConfig } from "./load-config.js";
import { resolveConfigPath, sortIssues } from "./load-config.js";
import type { SecretRef } from "./secret-ref.js";
import { toSecretSource } from "./secret-ref.js";

/** What {@link preflightConfig} found. */
export interface PreflightResult {
  /** Problems that would stop the relay from starting or connecting (sorted by line). */
  readonly issues: readonly ConfigIssue[];
  /** What it could not verify (secret commands are not run). */
  readonly notes: readonly string[];
}

/**
 * Verifies what a valid config refers to, without connecting anywhere: secret files exist,
 * are regular, non-empty and mode 0600 and environment variables are set (through the
 * client package's `resolveSecret`, the same check the upstream links make at run time;
 * values are read and dropped, never printed), and the TLS files (`listen.tls.*`,
 * `upstreams.<id>.ca`) are readable PEM of the right kind, the listener's key matching its
 * certificate. `{command}` sources are not run (they may prompt or have side effects): each
 * is listed in `notes`. Environment variables are those of the process running the check.
 *
 * @param loaded - a config that passed `loadConfig`
 * @param env - environment for `{env: NAME}` references. Default `process.env`.
 */
export async function preflightConfig(loaded: LoadedConfig, env: NodeJS.ProcessEnv = process.env): Promise<PreflightResult> {
  const issues: ConfigIssue[] = [];
  const notes: string[] = [];
  const issue = (path: readonly (string | number)[], message: string): void => {
    issues.push({ file: loaded.file, position: loaded.locate?.(path), path: path.join("."), message });
  };
  const secret = async (path: readonly (string | number)[], ref: SecretRef): Promise<void> => {
    const source = toSecretSource(ref, loaded.baseDir);
    if (source.kind === "command") {
      notes.push(`${path.join(".")}: {command} sources are not run by check; the relay runs it when it connects`);
      return;
    }
    try {
      await resolveSecret(source, { env, cwd: loaded.baseDir });
    } catch (error) {
      // SecretSourceError messages name the variable or path, never the value.
      issue(path, error instanceof Error ? error.message : String(error));
    }
  };
  for (const error of await listenerTlsProblems(loaded)) issue(error.setting.split("."), error.detail);
  for (const [id, upstream] of Object.entries(loaded.config.upstreams)) {
    if (upstream.token !== undefined) await secret(["upstreams", id, "token"], upstream.token);
    if (upstream.password !== undefined) await secret(["upstreams", id, "password"], upstream.password);
    for (const [name, ref] of Object.entries(upstream.headers ?? {})) await secret(["upstreams", id, "headers", name], ref);
    if (upstream.ca !== undefined) {
      try {
        await readPemFile(`upstreams.${id}.ca`, resolveConfigPath(loaded, upstream.ca), "CA certificate");
      } catch (error) {
        if (!(error instanceof TlsFileError)) throw error;
        issue(["upstreams", id, "ca"], error.detail);
      }
    }
  }
  return { issues: sortIssues(issues), notes };
}

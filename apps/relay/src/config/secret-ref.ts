import { isAbsolute, resolve } from "node:path";
import type { SecretSource } from "@clawbridge/client";
import * as z from "zod";

/**
 * Where an upstream secret comes from, as written in `relay.yaml`: `{file: path}`,
 * `{env: NAME}` or `{command: "op read op://…"}` (argv array also accepted; run without a
 * shell). Inline secrets are refused on purpose: a config file gets copied, diffed and
 * pasted into tickets far more often than a secret file does.
 */
export const SecretRef = z.union(
  [
    z.strictObject({ file: z.string().min(1) }),
    z.strictObject({ env: z.string().min(1) }),
    z.strictObject({
      command: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
      /** Command timeout (ms). Default 10 000. */
      timeoutMs: z.int().positive().optional(),
    }),
  ],
  { error: "expected {file: <path>}, {env: <NAME>} or {command: <cmd>}; inline secrets are not allowed" },
);
export type SecretRef = z.infer<typeof SecretRef>;

/**
 * The client package's {@link SecretSource} for a config reference; relative file paths
 * are taken relative to the config file's directory (not the process cwd, which differs
 * between a shell and a service manager).
 *
 * @param ref - the parsed reference
 * @param baseDir - directory of the config file
 */
export function toSecretSource(ref: SecretRef, baseDir: string): SecretSource {
  if ("file" in ref) return { kind: "file", path: isAbsolute(ref.file) ? ref.file : resolve(baseDir, ref.file) };
  if ("env" in ref) return { kind: "env", name: ref.env };
  return { kind: "command", command: ref.command, timeoutMs: ref.timeoutMs };
}

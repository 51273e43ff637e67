import type { SecretSource } from "@clawbridge/client";
import { credentialsError, usageError } from "@clawbridge/cli-contract";

/** Which secret a group of flags provides. */
export type SecretKind = "token" | "password";

/** The raw flags of one secret: `--token <v|->`, `--token-env <VAR>`, `--token-file <path>` (same for password). */
export interface SecretFlags {
  readonly value?: string | undefined;
  readonly env?: string | undefined;
  readonly file?: string | undefined;
}

/** Where a secret comes from, as the user asked. */
export type SecretSpec =
  | { readonly kind: "argv"; readonly value: string }
  | { readonly kind: "stdin" }
  | { readonly kind: "source"; readonly source: SecretSource };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads one secret's flags. At most one of them may be given; `-` as the value means
 * standard input. Returns undefined when none was given.
 */
export function secretSpecOf(kind: SecretKind, flags: SecretFlags): SecretSpec | undefined {
  const given = [
    flags.value === undefined ? undefined : `--${kind}`,
    flags.env === undefined ? undefined : `--${kind}-env`,
    flags.file === undefined ? undefined : `--${kind}-file`,
  ].filter((flag): flag is string => flag !== undefined);
  if (given.length > 1) throw usageError("CONFLICTING_OPTIONS", `use only one of ${given.join(", ")}`);
  if (flags.value !== undefined) return flags.value === "-" ? { kind: "stdin" } : { kind: "argv", value: flags.value };
  if (flags.env !== undefined) {
    if (!ENV_NAME.test(flags.env)) throw usageError("INVALID_ENV_NAME", `--${kind}-env needs an environment variable name, got ${JSON.stringify(flags.env)}`);
    return { kind: "source", source: { kind: "env", name: flags.env } };
  }
  if (flags.file !== undefined) {
    if (flags.file.trim() === "") throw usageError("INVALID_PATH", `--${kind}-file needs a path`);
    return { kind: "source", source: { kind: "file", path: flags.file } };
  }
  return undefined;
}

/**
 * The one-line warning printed when a secret is passed literally on argv (it works, for
 * compatibility with `openclaw gateway call`, but argv is world-readable in `ps`, and
 * lands in exec-approval records and shell history).
 */
export function argvSecretWarning(kind: SecretKind): string {
  return (
    `warning: --${kind} on the command line is visible in process lists, exec logs and shell history; ` +
    `use --${kind}-env <VAR>, --${kind}-file <path>, --${kind} - (stdin) or --remote <id> instead`
  );
}

/** Removes the line break(s) a shell `echo` or a here-string leaves after a secret. */
export function trimSecret(text: string): string {
  return text.replace(/[\r\n]+$/, "").trim();
}

/**
 * The secret's value (argv, stdin) or its source (env, file) in the form
 * `resolveTarget` takes. `stdinText` must be given for a stdin spec.
 */
export function secretInputOf(kind: SecretKind, spec: SecretSpec | undefined, stdinText: string | undefined): string | SecretSource | undefined {
  if (spec === undefined) return undefined;
  switch (spec.kind) {
    case "argv":
      return spec.value.trim() === "" ? undefined : spec.value;
    case "stdin": {
      const value = trimSecret(stdinText ?? "");
      if (value === "") throw credentialsError("SECRET_UNAVAILABLE", `--${kind} - read an empty ${kind} from standard input`);
      return value;
    }
    case "source":
      return spec.source;
  }
}

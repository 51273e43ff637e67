import type { Command } from "commander";

/** The flags every command that connects to a gateway accepts (commander's camelCase names). */
export interface TargetFlags {
  url?: string | undefined;
  port?: string | undefined;
  remote?: string | undefined;
  token?: string | undefined;
  tokenEnv?: string | undefined;
  tokenFile?: string | undefined;
  password?: string | undefined;
  passwordEnv?: string | undefined;
  passwordFile?: string | undefined;
  tlsFingerprint?: string | undefined;
  timeout?: string | undefined;
  json?: boolean | undefined;
}

/** How a command describes `--timeout` and `--json` in `--help`, when not as a single call does. */
export interface TargetOptionsHelp {
  /** The `--timeout` line. Default: one budget for connect + handshake + request (default 10000). */
  readonly timeout?: string | undefined;
  /** The `--json` line. Default: exactly one JSON document on stdout. */
  readonly json?: string | undefined;
}

/**
 * Adds the target and credential options, with `openclaw gateway call`'s names and
 * meanings (`--url`, `--port`, `--token`, `--password`, `--timeout`, `--json`) plus ours.
 *
 * @param help - a `--timeout` default (e.g. `"10000 per attempt"`) or the whole `--timeout`/`--json` texts
 */
export function addTargetOptions(command: Command, help: string | TargetOptionsHelp = "10000"): Command {
  const texts: TargetOptionsHelp = typeof help === "string" ? { timeout: `overall timeout in ms: connect + handshake + request (default ${help})` } : help;
  return command
    .option("--url <url>", "Gateway WebSocket URL (ws:// or wss://); never uses ambient credentials")
    .option("--port <port>", "local loopback Gateway port (ws://127.0.0.1:<port>); not with --url")
    .option("--remote <id>", "named remote profile (see: clawbridge remote list)")
    .option("--token <token>", "Gateway token; '-' reads it from stdin (a literal value works but warns)")
    .option("--token-env <VAR>", "read the Gateway token from this environment variable")
    .option("--token-file <path>", "read the Gateway token from this file (mode 0600)")
    .option("--password <password>", "Gateway password; '-' reads it from stdin (a literal value works but warns)")
    .option("--password-env <VAR>", "read the Gateway password from this environment variable")
    .option("--password-file <path>", "read the Gateway password from this file (mode 0600)")
    .option("--tls-fingerprint <sha256>", "pin the gateway certificate's SHA-256 (wss:// only)")
    .option("--timeout <ms>", texts.timeout ?? "overall timeout in ms: connect + handshake + request (default 10000)")
    .option("--json", texts.json ?? "print exactly one JSON document on stdout (the payload, or an error envelope)", false);
}

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

/**
 * Adds the target and credential options, with `openclaw gateway call`'s names and
 * meanings (`--url`, `--port`, `--token`, `--password`, `--timeout`, `--json`) plus ours.
 *
 * @param defaultTimeoutHelp - how the `--timeout` default is described in `--help`
 */
export function addTargetOptions(command: Command, defaultTimeoutHelp = "10000"): Command {
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
    .option("--timeout <ms>", `overall timeout in ms: connect + handshake + request (default ${defaultTimeoutHelp})`)
    .option("--json", "print exactly one JSON document on stdout (the payload, or an error envelope)", false);
}

import { parseArgs } from "node:util";
import { configWarnings } from "./config/config-warnings.js";
import { formatIssue, loadConfig } from "./config/load-config.js";
import type { LoadedConfig } from "./config/load-config.js";
import { preflightConfig } from "./config/preflight.js";
import { readSecretInput, tokenConfigLine } from "./hash-token.js";
import { createStartupLogger } from "./ops/loggers.js";
import { Relay } from "./relay.js";
import { TlsFileError } from "./tls-options.js";

/** Exit codes of `clawbridge-relay`. */
export const RelayExitCodes = {
  OK: 0,
  /** The relay failed at run time (cannot listen, …). */
  FAILURE: 1,
  /** Bad usage or an invalid config file. */
  USAGE: 2,
} as const;

const HELP = `Usage: clawbridge-relay [run] --config <relay.yaml>
       clawbridge-relay check --config <relay.yaml>
       clawbridge-relay hash-token < token-file

Commands:
  run (default)  serve clients and connect upstreams; SIGHUP reloads the policy,
                 SIGTERM drains (finishes in-flight requests, then closes 1012)
  check          validate a config file and what it refers to (secret files exist with mode
                 0600, env variables are set, TLS files are PEM; {command} secrets are not
                 run): exit 0 when valid, 2 with file:line:col errors
  hash-token     read a client token on stdin, print its "tokenSha256: <hex>" config line
                 (leading/trailing whitespace is not part of the token, as on OpenClaw)

Options:
  -c, --config <file>  config file (YAML, see relay.example.yaml)
  -h, --help           this help
  -v, --version        version

Exit codes: 0 ok, 1 runtime failure, 2 usage or invalid config.
Logs (JSON lines) and the audit log go to stderr unless log.audit names a file.
`;

/** Where the CLI writes (injectable for tests). */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
}

async function loadOrReport(file: string | undefined, io: CliIo): Promise<LoadedConfig | undefined> {
  if (file === undefined) {
    io.stderr.write("clawbridge-relay: --config <file> is required\n");
    return undefined;
  }
  const result = await loadConfig(file);
  if (!result.ok) {
    for (const issue of result.issues) io.stderr.write(`${formatIssue(issue)}\n`);
    return undefined;
  }
  return result.loaded;
}

/** Runs until SIGTERM/SIGINT: drain, then resolve with the exit code. */
async function run(loaded: LoadedConfig, io: CliIo): Promise<number> {
  let relay: Relay;
  try {
    relay = await Relay.start({ loaded });
  } catch (error) {
    // A JSON line like every other log line; it names the setting and file that failed (never a secret).
    const message = error instanceof Error ? error.message : String(error);
    const fields: Record<string, unknown> = { error: message };
    if (error instanceof TlsFileError) Object.assign(fields, { setting: error.setting, file: error.file });
    else if (error instanceof Error) {
      const { setting, code } = error as Error & { setting?: string; code?: string };
      if (setting !== undefined) fields["setting"] = setting;
      if (code !== undefined) fields["code"] = code;
    }
    const where = typeof fields["setting"] === "string" && !message.startsWith(fields["setting"]) ? `${fields["setting"]}: ` : "";
    createStartupLogger(io.stderr).fatal(fields, `cannot start: ${where}${message}`);
    return RelayExitCodes.FAILURE;
  }
  return new Promise<number>((resolve) => {
    const onHup = (): void => {
      relay.log.info("SIGHUP: reloading policy");
      void relay.reload();
    };
    const onTerm = (signal: NodeJS.Signals): void => {
      if (relay.draining) {
        // A second signal: stop waiting for in-flight requests.
        relay.log.warn({ signal }, "second stop signal: closing now");
        void relay.close().then(() => resolve(RelayExitCodes.OK));
        return;
      }
      relay.log.info({ signal }, "stop signal: draining");
      void relay.drain().then(() => {
        process.off("SIGHUP", onHup);
        resolve(RelayExitCodes.OK);
      });
    };
    process.on("SIGHUP", onHup);
    process.on("SIGTERM", onTerm);
    process.on("SIGINT", onTerm);
  });
}

/**
 * Runs the `clawbridge-relay` command line and resolves with its exit code.
 *
 * @param argv - arguments after the script name
 * @param io - streams (default: the process's)
 */
export async function runCli(argv: readonly string[], io: CliIo = process): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: "string", short: "c" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    io.stderr.write(`clawbridge-relay: ${error instanceof Error ? error.message : String(error)}\n${HELP}`);
    return RelayExitCodes.USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout.write(HELP);
    return RelayExitCodes.OK;
  }
  if (values.version === true) {
    io.stdout.write("0.1.0\n");
    return RelayExitCodes.OK;
  }
  const [command = "run", ...extra] = positionals;
  if (extra.length > 0) {
    io.stderr.write(`clawbridge-relay: unexpected argument ${extra[0]}\n`);
    return RelayExitCodes.USAGE;
  }
  switch (command) {
    case "hash-token": {
      try {
        io.stdout.write(`${tokenConfigLine(await readSecretInput(io.stdin))}\n`);
        return RelayExitCodes.OK;
      } catch (error) {
        io.stderr.write(`clawbridge-relay: ${error instanceof Error ? error.message : String(error)}\n`);
        return RelayExitCodes.USAGE;
      }
    }
    case "check": {
      const loaded = await loadOrReport(values.config, io);
      if (loaded === undefined) return RelayExitCodes.USAGE;
      // Then what the file refers to: secret files and variables, TLS files (no connection, no secret commands).
      const preflight = await preflightConfig(loaded);
      for (const issue of preflight.issues) io.stderr.write(`${formatIssue(issue)}\n`);
      for (const warning of configWarnings(loaded.config)) io.stderr.write(`warning: ${warning}\n`);
      for (const note of preflight.notes) io.stderr.write(`note: ${note}\n`);
      if (preflight.issues.length > 0) return RelayExitCodes.USAGE;
      const { upstreams, clients } = loaded.config;
      io.stdout.write(`${loaded.file}: ok (${Object.keys(upstreams).length} upstreams, ${Object.keys(clients).length} clients)\n`);
      return RelayExitCodes.OK;
    }
    case "run": {
      const loaded = await loadOrReport(values.config, io);
      if (loaded === undefined) return RelayExitCodes.USAGE;
      return run(loaded, io);
    }
    default:
      io.stderr.write(`clawbridge-relay: unknown command ${command}\n${HELP}`);
      return RelayExitCodes.USAGE;
  }
}

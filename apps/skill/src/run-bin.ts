import { CommanderError } from "commander";
import { ExitCodes } from "@clawbridge/cli-contract";
import type { ExitCode } from "@clawbridge/cli-contract";
import { clipQuoted } from "./echo-input.js";
import { JsonOutput } from "./json-output.js";
import { buildProgram } from "./program.js";
import { runVerb } from "./run-verb.js";

/** Where the bin writes and what it reads. */
export interface BinStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Runs `remote-gateway <argv…>` in this process and resolves with the exit code.
 * `--help`/`--version` print to stdout (exit 0). A parse error prints the `usage_error`
 * envelope on stdout (exit 2) and, for a person at a terminal, the usage on stderr.
 */
export async function runBin(argv: readonly string[], streams: BinStreams): Promise<ExitCode> {
  const output = new JsonOutput(streams.stdout);
  let exitCode: ExitCode = ExitCodes.OK;
  let parseError: string | undefined;
  const program = buildProgram(
    async (invocation) => {
      exitCode = await runVerb(invocation, output, streams.env);
    },
    {
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
      outputError: (text) => {
        parseError = text.trim().replace(/^error: /, "");
      },
    },
  );
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      output.document({ ok: false, error: { type: "usage_error", code: "MISSING_VERB", message: "missing verb (see remote-gateway --help)" } });
      return ExitCodes.USAGE;
    }
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return ExitCodes.OK;
    // Commander quotes the offending argument in full: clip it (a 100 KB verb is not a 100 KB error).
    const message = clipQuoted(parseError ?? error.message.replace(/^error: /, ""));
    output.document({ ok: false, error: { type: "usage_error", code: "INVALID_ARGUMENTS", message } });
    return ExitCodes.USAGE;
  }
  return exitCode;
}

import { errorEnvelope, ExitCodes, reportError } from "@clawbridge/cli-contract";
import type { ErrorContext, ExitCode } from "@clawbridge/cli-contract";
import { Output } from "./output.js";

/** What a command body gets: its output, and a slot for context that sharpens error messages. */
export interface CommandScope {
  readonly output: Output;
  /** Fill in as soon as the target is known (URL, remote id), for transport envelopes and hints. */
  context: ErrorContext;
}

/**
 * Runs one command body and turns its outcome into an exit code. Failures are printed
 * once, here: with `--json` as the single `{"ok":false,"error":…}` document on stdout,
 * otherwise as `<label>: <message>` plus an optional `hint:` line on stderr.
 *
 * @param label - human prefix of the error line, e.g. `Gateway call failed`
 * @param json - whether `--json` was given
 * @param body - resolves with the exit code (normally 0); throws on failure
 * @param ndjson - print the `--json` envelope on one line (commands whose stdout is an NDJSON stream)
 */
export async function runCommand(
  label: string,
  json: boolean,
  body: (scope: CommandScope) => Promise<ExitCode | void>,
  ndjson = false,
): Promise<ExitCode> {
  const scope: CommandScope = { output: new Output(json), context: {} };
  try {
    return (await body(scope)) ?? ExitCodes.OK;
  } catch (error) {
    const report = reportError(scope.output.redactor.scrubError(error), scope.context);
    const { output } = scope;
    if (json) {
      if (ndjson) output.ndjson(errorEnvelope(report));
      else output.document(errorEnvelope(report));
    } else {
      output.info(`${output.err.error(label)}: ${report.line}`);
      if (report.hint !== undefined) output.info(output.err.muted(`hint: ${report.hint}`));
    }
    return report.exitCode;
  }
}

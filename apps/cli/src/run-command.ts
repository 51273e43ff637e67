import { errorEnvelope, ExitCodes, interruptedFailure, OutputWriteError, reportError, reportOutputFailure, watchInterrupts } from "@clawbridge/cli-contract";
import type { ErrorContext, ExitCode } from "@clawbridge/cli-contract";
import { Output, processStreams } from "./output.js";
import type { OutputStreams } from "./output.js";

/** What a command body gets: its output, and a slot for context that sharpens error messages. */
export interface CommandScope {
  readonly output: Output;
  /** Fill in as soon as the target is known (URL, remote id), for transport envelopes and hints. */
  context: ErrorContext;
  /**
   * Aborted on SIGINT/SIGTERM when the command is `interruptible`. Pass it to requests:
   * an aborted request reports whether it had been sent.
   */
  readonly signal: AbortSignal;
}

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** Print the `--json` envelope on one line (commands whose stdout is an NDJSON stream). */
  readonly ndjson?: boolean | undefined;
  /**
   * One-shot commands: SIGINT/SIGTERM end the command as an `interrupted` failure (exit
   * 130 / 143, with `--json` its envelope), instead of killing the process mid-output.
   */
  readonly interruptible?: boolean | undefined;
}

/** The signal of a command that is not `interruptible`. */
const NEVER_ABORTED = new AbortController().signal;

/** The process's streams, with a synchronous write failure (a file on a full disk) turned into an {@link OutputWriteError}. */
function guardedStreams(): OutputStreams {
  const streams = processStreams();
  const guard = (stream: OutputStreams["stdout"], name: "stdout" | "stderr"): OutputStreams["stdout"] =>
    ({
      isTTY: stream.isTTY,
      write(chunk: string): boolean {
        try {
          return stream.write(chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "EPIPE") return false;
          throw new OutputWriteError(name, error);
        }
      },
    }) as unknown as OutputStreams["stdout"];
  return { stdout: guard(streams.stdout, "stdout"), stderr: guard(streams.stderr, "stderr"), env: streams.env };
}

/**
 * Runs one command body and turns its outcome into an exit code. Failures are printed
 * once, here: with `--json` as the single `{"ok":false,"error":…}` document on stdout,
 * otherwise as `<label>: <message>` plus an optional `hint:` line on stderr. Output that
 * cannot be written ends the command with exit 7 and one line on stderr.
 *
 * @param label - human prefix of the error line, e.g. `Gateway call failed`
 * @param json - whether `--json` was given
 * @param body - resolves with the exit code (normally 0); throws on failure
 */
export async function runCommand(
  label: string,
  json: boolean,
  body: (scope: CommandScope) => Promise<ExitCode | void>,
  options: RunCommandOptions = {},
): Promise<ExitCode> {
  const interrupts = options.interruptible === true ? watchInterrupts() : undefined;
  const scope: CommandScope = { output: new Output(json, guardedStreams()), context: {}, signal: interrupts?.signal ?? NEVER_ABORTED };
  try {
    const running = body(scope);
    return (await (interrupts === undefined ? running : interrupts.race(running))) ?? ExitCodes.OK;
  } catch (error) {
    if (error instanceof OutputWriteError) return reportOutputFailure("clawbridge", error);
    const received = interrupts?.received;
    const failure = received === undefined ? error : interruptedFailure(received, error);
    try {
      return printFailure(scope, label, json, options.ndjson === true, failure);
    } catch (printError) {
      if (printError instanceof OutputWriteError) return reportOutputFailure("clawbridge", printError);
      throw printError;
    }
  } finally {
    interrupts?.dispose();
  }
}

/** Prints a failure once (envelope or `<label>: …` plus hint) and returns its exit code. */
function printFailure(scope: CommandScope, label: string, json: boolean, ndjson: boolean, error: unknown): ExitCode {
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

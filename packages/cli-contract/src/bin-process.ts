import { ExitCodes } from "./exit-codes.js";
import type { ExitCode } from "./exit-codes.js";

/** stdout or stderr failed to take a write (other than a closed pipe): ENOSPC, EIO, … Exit 7. */
export class OutputWriteError extends Error {
  override readonly name = "OutputWriteError";
  readonly stream: "stdout" | "stderr";
  readonly code: string;
  constructor(stream: "stdout" | "stderr", cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? "EIO";
    super(`cannot write to ${stream} (${code})`, { cause });
    this.stream = stream;
    this.code = code;
  }
}

/** Prints the one line (on stderr, if it still works) that says the output is incomplete; returns exit 7. */
export function reportOutputFailure(bin: string, error: OutputWriteError): ExitCode {
  try {
    process.stderr.write(`${bin}: ${error.message}; the output is incomplete\n`);
  } catch {
    // stderr is gone as well: the exit code is all that is left.
  }
  return ExitCodes.OUTPUT_FAILED;
}

/**
 * Runs a bin's process-level contract around `run` (its exit code):
 * * stdout/stderr `error` events: a closed pipe (`bin … | head`) is the reader's choice and
 *   ends the process quietly; any other write error (a pipe or socket) is exit 7.
 * * interrupted (130/143): exit at once, so abandoned sockets and timers cannot keep the process.
 * * `run` rejecting with a write error (help or a document written to a broken file stdout):
 *   one line, exit 7; with anything else (a bug): one `internal error` line, exit 1. Never a stack trace.
 */
export function runBinProcess(bin: string, run: () => Promise<ExitCode>): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    process.exit(reportOutputFailure(bin, new OutputWriteError("stdout", error)));
  });
  process.stderr.on("error", (error: NodeJS.ErrnoException) => {
    process.exit(error.code === "EPIPE" ? (process.exitCode ?? 0) : ExitCodes.OUTPUT_FAILED);
  });
  void run().then(
    (code) => {
      process.exitCode = code;
      if (code === ExitCodes.INTERRUPTED || code === ExitCodes.TERMINATED) process.exit(code);
    },
    (error: unknown) => {
      if (error instanceof OutputWriteError) {
        process.exitCode = reportOutputFailure(bin, error);
        return;
      }
      if ((error as NodeJS.ErrnoException | undefined)?.syscall === "write") {
        process.exitCode = reportOutputFailure(bin, new OutputWriteError("stdout", error));
        return;
      }
      try {
        process.stderr.write(`${bin}: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      } catch {
        // Nothing left to report on.
      }
      process.exitCode = ExitCodes.GATEWAY_ERROR;
    },
  );
}

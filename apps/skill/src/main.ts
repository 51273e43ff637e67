// First: zod must be configured before any protocol schema is constructed.
import "./zod-jitless.js";
import { ExitCodes } from "@clawbridge/cli-contract";
import { OutputWriteError } from "./json-output.js";
import { runBin } from "./run-bin.js";

/**
 * stdout cannot take the document (ENOSPC, EIO, …): the one exception to "nothing on
 * stderr" is one line there (if stderr still works), then exit 7. Never a stack trace.
 */
function exitOutputFailed(error: OutputWriteError): never {
  try {
    process.stderr.write(`remote-gateway: ${error.message}; the output is incomplete\n`);
  } catch {
    // stderr is gone as well: the exit code is all that is left.
  }
  process.exit(ExitCodes.OUTPUT_FAILED);
}

// A closed pipe (`remote-gateway … | head`) is the reader's choice, not an error worth a
// stack trace; any other write error is exit 7. (A file stdout fails synchronously,
// inside JsonOutput; a pipe or socket fails here.)
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  exitOutputFailed(new OutputWriteError(error));
});
process.stderr.on("error", (error: NodeJS.ErrnoException) => {
  process.exit(error.code === "EPIPE" ? (process.exitCode ?? 0) : ExitCodes.OUTPUT_FAILED);
});

// No top-level await: the bundled bin is CommonJS (see tools/bundle-bin.mjs).
void runBin(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
    // Interrupted: the abandoned connection attempt must not keep the process.
    if (code === ExitCodes.INTERRUPTED || code === ExitCodes.TERMINATED) process.exit(code);
  },
  (error: unknown) => {
    // The document, help or usage written to a broken stdout; anything else is a bug: one line, no stack trace.
    if (error instanceof OutputWriteError) exitOutputFailed(error);
    if ((error as NodeJS.ErrnoException | undefined)?.syscall === "write") exitOutputFailed(new OutputWriteError(error));
    try {
      process.stderr.write(`remote-gateway: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    } catch {
      // Nothing left to report on.
    }
    process.exitCode = ExitCodes.GATEWAY_ERROR;
  },
);

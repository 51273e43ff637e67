// First: zod must be configured before any module constructs a schema (see zod-jitless.ts).
import "./zod-jitless.js";
import { CommanderError } from "commander";
import { ExitCodes } from "@clawbridge/cli-contract";
import type { ExitCode } from "@clawbridge/cli-contract";
import { buildProgram, commanderExitCode } from "./program.js";
import { OutputWriteError, reportOutputFailure } from "./run-command.js";

/**
 * Runs the CLI on `argv` (without the node and script entries) and resolves with the
 * exit code. Commander's parse errors become usage errors (exit 2): with `--json` as the
 * one `usage_error` envelope on stdout, otherwise commander's message on stderr.
 */
export async function runCli(argv: readonly string[]): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCodes.OK;
  const json = argv.includes("--json");
  let parseError: string | undefined;
  const program = buildProgram(
    (code) => {
      exitCode = code;
    },
    {
      outputError: (text, write) => {
        if (json) parseError = text.trim().replace(/^error: /, "");
        else write(text);
      },
    },
  );
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const code = commanderExitCode(error.exitCode);
    if (json && code !== ExitCodes.OK) {
      const message = parseError ?? error.message.replace(/^error: /, "");
      process.stdout.write(`${JSON.stringify({ ok: false, error: { type: "usage_error", code: "INVALID_ARGUMENTS", message } }, null, 2)}\n`);
    }
    return code;
  }
  return exitCode;
}

// A closed pipe (`clawbridge … | head`) is the reader's choice, not an error worth a stack
// trace. Any other write error (ENOSPC, EIO, …) is one line on stderr and exit 7.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  process.exit(reportOutputFailure(new OutputWriteError("stdout", error)));
});
process.stderr.on("error", (error: NodeJS.ErrnoException) => {
  process.exit(error.code === "EPIPE" ? (process.exitCode ?? 0) : ExitCodes.OUTPUT_FAILED);
});

/** Interrupted one-shot commands exit at once: their sockets and timers must not keep the process. */
const INTERRUPT_EXIT_CODES: ReadonlySet<number> = new Set([ExitCodes.INTERRUPTED, ExitCodes.TERMINATED]);

// No top-level await: the bundled bin is CommonJS (see tools/bundle-bin.mjs).
void runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (INTERRUPT_EXIT_CODES.has(code)) process.exit(code);
  },
  (error: unknown) => {
    // Help or a parse error written to a broken stdout, or a bug: one line, never a stack trace.
    const writeError = error instanceof OutputWriteError ? error : (error as NodeJS.ErrnoException | undefined)?.syscall === "write" ? new OutputWriteError("stdout", error) : undefined;
    if (writeError !== undefined) {
      process.exitCode = reportOutputFailure(writeError);
      return;
    }
    try {
      process.stderr.write(`clawbridge: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    } catch {
      // Nothing left to report on.
    }
    process.exitCode = ExitCodes.GATEWAY_ERROR;
  },
);

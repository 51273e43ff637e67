// First: zod must be configured before any module constructs a schema (see zod-jitless.ts).
import "./zod-jitless.js";
import { CommanderError } from "commander";
import { ExitCodes, runBinProcess } from "@clawbridge/cli-contract";
import type { ExitCode } from "@clawbridge/cli-contract";
import { buildProgram, commanderExitCode } from "./program.js";

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

// stdout/stderr errors, interrupts and a rejected run: the contract every bin shares.
// No top-level await: the bundled bin is CommonJS (see tools/bundle-bin.mjs).
runBinProcess("clawbridge", () => runCli(process.argv.slice(2)));

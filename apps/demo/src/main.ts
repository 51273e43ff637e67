#!/usr/bin/env node
import { parseArgs } from "node:util";
import { signalChildren } from "./child-processes.js";
import { CleanupStack } from "./cleanup-stack.js";
import { runDemo } from "./demo-run.js";
import { formatReport } from "./report-format.js";

const HELP = `Usage: clawbridge-demo [--json]   (from the repository root: pnpm demo)

Plays the seed on loopback: mock GW1 + MockNode WN1, mock GW2 + MockNode WN2; the operator
on GW1 calls node.invoke system.run on WN1, which runs the real, built clawbridge bin against
GW2 — directly with a named remote, through the remote-gateway skill, and through
clawbridge-relay. Prints every hop with its latency, a guard check and a secret scan.

Options:
  --json   print one machine-readable JSON report on stdout
  -h, --help

Exit codes: 0 every flow that ran succeeded and nothing leaked; 1 otherwise;
130/143 interrupted (everything started is stopped first).
`;

/** Hard limit for teardown after a signal (ms): then whatever is left is killed. */
const SIGNAL_TEARDOWN_MS = 5_000;

async function main(): Promise<number> {
  let flags: { json?: boolean; help?: boolean };
  try {
    flags = parseArgs({ options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } } }).values;
  } catch (error) {
    process.stderr.write(`clawbridge-demo: ${(error as Error).message}\n${HELP}`);
    return 2;
  }
  if (flags.help === true) {
    process.stdout.write(HELP);
    return 0;
  }

  const cleanup = new CleanupStack();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    const code = signal === "SIGINT" ? 130 : 143;
    if (interrupted) {
      // A second Ctrl-C: stop waiting for a graceful teardown.
      signalChildren("SIGKILL");
      process.exit(code);
    }
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the demo's gateways, nodes, relay and child processes…\n`);
    setTimeout(() => {
      signalChildren("SIGKILL");
      process.exit(code);
    }, SIGNAL_TEARDOWN_MS).unref();
    void cleanup.run().finally(() => {
      // Anything still running was spawned by a node mid-flow (a clawbridge call): end it too.
      signalChildren("SIGTERM");
      process.exit(code);
    });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    const report = await runDemo({ cleanup, onProgress: (message) => process.stderr.write(`· ${message}\n`) });
    process.stdout.write(flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.ok ? 0 : 1;
  } catch (error) {
    // After a signal the handler owns the exit; a teardown-induced error is no news.
    if (interrupted) return await new Promise<number>(() => undefined);
    process.stderr.write(`clawbridge-demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const code = await main();
process.exitCode = code;
// Everything is stopped by now; a handle some library forgot to unref must not keep the demo alive.
setTimeout(() => process.exit(code), 2_000).unref();

import { DEFAULT_CALL_TIMEOUT_MS } from "@clawbridge/protocol";
import type { ExitCode } from "@clawbridge/cli-contract";
import { methodScopeInfo } from "../method-scope.js";
import { openSession } from "../open-session.js";
import { runCommand } from "../run-command.js";
import { stderrLogger } from "../stderr-logger.js";
import { readStdinText } from "../stdin.js";
import { renderTable } from "../table.js";
import { planSecrets, requireCredentials, resolveConnection } from "../target-options.js";
import type { TargetFlags } from "../target-flags.js";

/**
 * `clawbridge gateway methods`: connects, reads `hello-ok.features.methods` and prints
 * each method with the scope it needs (from the protocol's catalogue). Requests only
 * `operator.read`: the method list comes with any successful handshake.
 */
export function gatewayMethods(flags: TargetFlags): Promise<ExitCode> {
  return runCommand("Gateway methods failed", flags.json === true, async (scope) => {
    const { output } = scope;
    const secrets = planSecrets(flags, output);
    const stdinText = secrets.stdinClaims.length > 0 ? await readStdinText() : undefined;
    const connection = await resolveConnection({ flags, secrets, stdinText, output, defaultTimeoutMs: DEFAULT_CALL_TIMEOUT_MS });
    scope.context = { target: connection.target, remoteId: connection.remoteId };
    await requireCredentials(connection, "methods");
    const logger = stderrLogger(process.env, output);
    const session = await openSession(connection, { methods: ["health"], ...(logger === undefined ? {} : { logger }) }, undefined, scope.signal);
    await session.client.close();
    const methods = [...session.hello.features.methods].sort().map((method) => methodScopeInfo(method));
    if (output.json) {
      output.document(methods);
      return;
    }
    output.line(`${output.out.heading("Gateway methods")}: ${output.out.muted(`${methods.length} on ${connection.target.url} (OpenClaw ${session.hello.server.version})`)}`);
    for (const line of renderTable(["METHOD", "SCOPE"], methods.map((info) => [info.method, info.scope]))) output.line(line);
  }, { interruptible: true });
}

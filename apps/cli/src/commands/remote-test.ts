import { DEFAULT_CALL_TIMEOUT_MS, OperatorScopes } from "@clawbridge/protocol";
import type { ExitCode } from "@clawbridge/cli-contract";
import { openSession } from "../open-session.js";
import { runCommand } from "../run-command.js";
import { stderrLogger } from "../stderr-logger.js";
import { requireCredentials, resolveConnection } from "../target-options.js";

/** Flags of `clawbridge remote test`. */
export interface RemoteTestFlags {
  timeout?: string | undefined;
  json?: boolean | undefined;
}

/** Milliseconds with one decimal. */
function ms(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * `clawbridge remote test <id>`: connects to a named remote with least privilege
 * (`operator.read`), then times one `health` round trip. Prints the granted role and
 * scopes, the server version, connect time and RTT. Failures map to the usual exit codes.
 */
export function remoteTest(id: string, flags: RemoteTestFlags): Promise<ExitCode> {
  return runCommand("Remote test failed", flags.json === true, async (scope) => {
    const { output } = scope;
    const connection = await resolveConnection({
      flags: { remote: id, timeout: flags.timeout },
      secrets: { token: undefined, password: undefined, stdinClaims: [] },
      stdinText: undefined,
      output,
      defaultTimeoutMs: DEFAULT_CALL_TIMEOUT_MS,
    });
    scope.context = { target: connection.target, remoteId: id };
    await requireCredentials(connection, "health");
    const logger = stderrLogger(process.env, output);
    const session = await openSession(connection, { scopes: [OperatorScopes.READ], ...(logger === undefined ? {} : { logger }) }, undefined, scope.signal);
    try {
      const started = performance.now();
      await session.client.call("health", {}, { timeoutMs: connection.remainingMs(), signal: scope.signal });
      const rttMs = performance.now() - started;
      const { hello } = session;
      const result = {
        ok: true,
        remote: id,
        url: connection.target.url,
        role: hello.auth.role,
        scopes: hello.auth.scopes,
        authMethod: hello.auth.method ?? null,
        server: { version: hello.server.version, connId: hello.server.connId },
        protocol: hello.protocol,
        connectMs: ms(session.connectMs),
        rttMs: ms(rttMs),
      };
      if (output.json) {
        output.document(result);
        return;
      }
      output.line(`${output.out.ok("Remote")} ${id}: ${connection.target.url}`);
      output.line(`  role:     ${result.role}`);
      output.line(`  scopes:   ${result.scopes.join(", ") || "(none)"}`);
      output.line(`  auth:     ${result.authMethod ?? "?"}`);
      output.line(`  server:   OpenClaw ${result.server.version} (protocol ${result.protocol})`);
      output.line(`  connect:  ${result.connectMs} ms`);
      output.line(`  rtt:      ${result.rttMs} ms (health)`);
    } finally {
      await session.client.close();
    }
  }, { interruptible: true });
}

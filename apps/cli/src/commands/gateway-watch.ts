import type { ClientLogger, GatewayEvent } from "@clawbridge/client";
import { DEFAULT_CALL_TIMEOUT_MS, OperatorScopes } from "@clawbridge/protocol";
import { ConnectionClosedError } from "@clawbridge/rpc-core";
import { ExitCodes, usageError } from "@clawbridge/cli-contract";
import type { ExitCode } from "@clawbridge/cli-contract";
import { openSession } from "../open-session.js";
import { runCommand } from "../run-command.js";
import { parseScopeList } from "../scope-list.js";
import { stderrLogger } from "../stderr-logger.js";
import { readStdinText } from "../stdin.js";
import { planSecrets, requireCredentials, resolveConnection } from "../target-options.js";
import type { TargetFlags } from "../target-flags.js";

/** Flags of `clawbridge gateway watch`. */
export interface GatewayWatchFlags extends TargetFlags {
  events?: string | undefined;
  scopes?: string | undefined;
}

/** The client's log line for a lost connection (see `GatewayClient#onConnectionLost`). */
const CONNECTION_CLOSED_LOG = "gateway connection closed";

/** The NDJSON line of one event: name, per-connection `seq`, payload, and `stateVersion` when present. */
function eventLine(event: GatewayEvent): Record<string, unknown> {
  const line: Record<string, unknown> = { event: event.event, seq: event.seq ?? null, payload: event.payload ?? null };
  if (event.stateVersion !== undefined) line["stateVersion"] = event.stateVersion;
  return line;
}

/**
 * A logger that records the close code and reason of the connection. Workaround:
 * `GatewayClient` has no close listener, it only logs `gateway connection closed
 * {code, reason}` (reported as a missing client API).
 */
function closeCapturingLogger(inner: ClientLogger | undefined, onClose: (code: number, reason: string) => void): ClientLogger {
  return {
    ...inner,
    warn(message, fields) {
      if (message === CONNECTION_CLOSED_LOG && typeof fields?.["code"] === "number") {
        onClose(fields["code"], typeof fields["reason"] === "string" ? fields["reason"] : "");
      }
      inner?.warn?.(message, fields);
    },
  };
}

/**
 * `clawbridge gateway watch`: subscribes to the gateway's events and prints each as one
 * NDJSON line on stdout (`{"event","seq","payload","stateVersion"?}`) until interrupted.
 * SIGINT/SIGTERM close the connection normally and exit 0; a connection the gateway
 * closes ends the command with the close code and reason (exit 3; 5 for a tick timeout).
 */
export function gatewayWatch(flags: GatewayWatchFlags): Promise<ExitCode> {
  return runCommand(
    "Gateway watch failed",
    flags.json === true,
    async (scope) => {
      const { output } = scope;
      const only = flags.events === undefined ? undefined : new Set(flags.events.split(",").map((name) => name.trim()).filter((name) => name !== ""));
      if (only?.size === 0) throw usageError("INVALID_EVENTS", "--events needs at least one event name (comma-separated), e.g. --events tick,health");
      const scopes = flags.scopes === undefined ? [OperatorScopes.READ] : parseScopeList(flags.scopes);
      const secrets = planSecrets(flags, output);
      const stdinText = secrets.stdinClaims.length > 0 ? await readStdinText() : undefined;
      const connection = await resolveConnection({ flags, secrets, stdinText, output, defaultTimeoutMs: DEFAULT_CALL_TIMEOUT_MS });
      scope.context = { target: connection.target, remoteId: connection.remoteId };
      await requireCredentials(connection, "watch");

      let closeInfo: { code: number; reason: string } | undefined;
      const logger = closeCapturingLogger(stderrLogger(process.env, output), (code, reason) => {
        closeInfo = { code, reason };
      });
      const session = await openSession(connection, { scopes, logger }, (client) => {
        client.events.onAny((event) => {
          if (only === undefined || only.has(event.event)) output.ndjson(eventLine(event));
        });
        client.events.onGap((gap) => output.warn(`warning: missed events: expected seq ${gap.expected}, received ${gap.received}`));
      });
      const { client } = session;
      output.info(output.err.muted(`watching ${connection.target.url} (OpenClaw ${session.hello.server.version}); Ctrl-C to stop`));

      return await new Promise<ExitCode>((resolve, reject) => {
        let stopping = false;
        const stop = (): void => {
          stopping = true;
          void client.close().then(() => finish(() => resolve(ExitCodes.OK)));
        };
        const lost = (): void => {
          const info = closeInfo ?? { code: 1006, reason: "" };
          finish(() => reject(new ConnectionClosedError(info.code, info.reason)));
        };
        const offState = client.onStateChange((state) => {
          if (state === "idle" && !stopping) lost();
        });
        const finish = (settle: () => void): void => {
          offState();
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          settle();
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        // The link may have dropped between hello-ok and this subscription.
        if (client.state === "idle") lost();
      });
    },
    { ndjson: true },
  );
}

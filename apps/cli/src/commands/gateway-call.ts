import { CallTimeoutError, GatewayClient, ScopeCeilingError } from "@clawbridge/client";
import { DEFAULT_CALL_TIMEOUT_MS } from "@clawbridge/protocol";
import { usageError } from "@clawbridge/cli-contract";
import type { ExitCode } from "@clawbridge/cli-contract";
import { parseTimeoutEnv } from "../parse-numbers.js";
import { methodScopeInfo } from "../method-scope.js";
import { paramsSpecOf, readParams, validateParams } from "../params-input.js";
import { parseScopeList } from "../scope-list.js";
import { runCommand } from "../run-command.js";
import { stderrLogger } from "../stderr-logger.js";
import { assertSingleStdinConsumer, readStdinText } from "../stdin.js";
import { planSecrets, requireCredentials, resolveConnection } from "../target-options.js";
import type { TargetFlags } from "../target-flags.js";

/** Flags of `clawbridge gateway call`. */
export interface GatewayCallFlags extends TargetFlags {
  params?: string | undefined;
  expectFinal?: boolean | undefined;
  expectUrl?: string | undefined;
  scopes?: string | undefined;
}

/** `openclaw.setup.detect` runs model inference; OpenClaw gives it a longer default. */
const SLOW_METHOD_DEFAULTS: Readonly<Record<string, number>> = { "openclaw.setup.detect": 40_000 };

/** Methods OpenClaw refuses under `OPENCLAW_SHELL=exec` (an agent's exec tool): they would inject messages without attribution. */
const MESSAGE_METHODS = new Set(["sessions.send", "sessions.steer", "chat.send", "agent"]);

/**
 * The default overall timeout: 10 000 ms (40 000 for `openclaw.setup.detect`), raised to
 * `OPENCLAW_HANDSHAKE_TIMEOUT_MS` when that is larger, as OpenClaw does.
 */
export function defaultCallTimeoutMs(method: string, env: NodeJS.ProcessEnv): number {
  const base = SLOW_METHOD_DEFAULTS[method] ?? DEFAULT_CALL_TIMEOUT_MS;
  // A bad value is a usage error naming the variable, not a timer that fires at once.
  const handshake = parseTimeoutEnv(env, "OPENCLAW_HANDSHAKE_TIMEOUT_MS");
  return handshake !== undefined && handshake > base ? handshake : base;
}

/** OpenClaw's agent-exec guard (`assertGatewayCliMessageContext`), so the bridge is no side door around it. */
function assertMessageContext(method: string, params: unknown, env: NodeJS.ProcessEnv): void {
  if (env["OPENCLAW_SHELL"] !== "exec") return;
  const input = method === "sessions.create" && params !== null && typeof params === "object" ? (params as Record<string, unknown>) : undefined;
  const createsMessage =
    input !== undefined &&
    ([input["message"], input["task"]].some((value) => typeof value === "string" && value.trim() !== "") ||
      (Array.isArray(input["attachments"]) && input["attachments"].length > 0));
  if (!MESSAGE_METHODS.has(method) && !createsMessage) return;
  throw usageError(
    "AGENT_EXEC_REFUSED",
    `Gateway ${method} from agent exec would lose inter-session attribution. Use the attributed session-messaging tool available to this run, or return the result through normal subagent completion. Do not retry through another CLI route or remove the exec marker.`,
  );
}

/**
 * `clawbridge gateway call <method>`: one RPC on a fresh connection, with
 * `openclaw gateway call`'s options and output. Everything that can be checked locally
 * (flags, `--params` JSON and schema, credentials, `--expect-url`) is checked before a
 * socket is opened.
 */
export function gatewayCall(method: string, flags: GatewayCallFlags): Promise<ExitCode> {
  return runCommand("Gateway call failed", flags.json === true, async (scope) => {
    const { output } = scope;
    const env = process.env;
    const secrets = planSecrets(flags, output);
    const paramsSpec = paramsSpecOf(flags.params);
    const claims = [...secrets.stdinClaims, ...(paramsSpec.kind === "stdin" ? ["--params -"] : [])];
    assertSingleStdinConsumer(claims);
    const scopes = flags.scopes === undefined ? undefined : parseScopeList(flags.scopes);
    const stdinText = claims.length > 0 ? await readStdinText() : undefined;

    const params = await readParams(paramsSpec, stdinText);
    validateParams(method, params);
    assertMessageContext(method, params, env);

    const connection = await resolveConnection({
      flags,
      secrets,
      stdinText,
      output,
      defaultTimeoutMs: defaultCallTimeoutMs(method, env),
      env,
    });
    scope.context = { target: connection.target, remoteId: connection.remoteId };
    if (flags.expectUrl !== undefined && connection.url !== flags.expectUrl) {
      throw usageError("EXPECT_URL_MISMATCH", "Gateway destination changed. Refresh the selected Gateway before retrying.", {
        details: { expected: flags.expectUrl, actual: connection.target.url },
      });
    }
    await requireCredentials(connection, method);

    const logger = stderrLogger(env, output);
    const payload = await GatewayClient.callOnce(
      {
        ...connection.options,
        ...(scopes === undefined ? {} : { scopes }),
        ...(logger === undefined ? {} : { logger }),
      },
      method,
      params,
      // What is left of the overall budget (secret resolution counts against it); SIGINT/SIGTERM abort.
      { timeoutMs: connection.remainingMs(), expectFinal: flags.expectFinal === true, signal: scope.signal },
    ).catch((error: unknown) => {
      // Reported against the whole budget the user gave, not its remainder.
      if (error instanceof CallTimeoutError) throw new CallTimeoutError(method, connection.timeoutMs, error.requestSent, error.phase);
      if (error instanceof ScopeCeilingError) throw scopeCeilingProblem(error, method, scopes, connection.remoteId);
      throw error;
    });
    if (output.json) {
      output.document(payload);
    } else {
      output.line(`${output.out.heading("Gateway call")}: ${output.out.muted(method)}`);
      output.document(payload);
    }
  }, { interruptible: true });
}

/**
 * A scope-ceiling refusal in the user's terms: when `--scopes` asked for more than the
 * remote allows it is the flag, not the method, that exceeds the ceiling; an unknown
 * method needs OpenClaw's unclassified (admin) set, which a ceiling rarely allows.
 */
function scopeCeilingProblem(error: ScopeCeilingError, method: string, scopes: readonly string[] | undefined, remoteId: string | undefined): Error {
  const remote = remoteId === undefined ? "this remote" : `remote ${remoteId}`;
  const ceiling = `[${error.ceiling.join(", ")}]`;
  if (scopes !== undefined) {
    return usageError("SCOPE_CEILING", `--scopes ${error.excess.join(",")} exceeds ${remote}'s scope ceiling ${ceiling}`, {
      hint: `request only scopes within the ceiling (or drop --scopes for ${method}'s least privilege); raise the ceiling with clawbridge remote add ${remoteId ?? "<id>"} … --scopes <list> --replace`,
    });
  }
  if (!methodScopeInfo(method).known) {
    return usageError("SCOPE_CEILING", `${error.message} (${method} is not a known method, so it needs the unclassified admin set)`, {
      hint: "check the method name; list the methods this gateway offers with: clawbridge gateway methods",
    });
  }
  return error;
}

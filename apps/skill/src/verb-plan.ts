import { randomUUID } from "node:crypto";
import { CliError, ExitCodes } from "@clawbridge/cli-contract";
import type { PlannedCall } from "./gateway-session.js";
import { parseParamsJson } from "./params-json.js";
import type { RemoteContext } from "./remote-context.js";
import { assertCallAllowed, assertInvokeAllowed } from "./skill-policy.js";
import type { VerbName } from "./verbs.js";

/** The requests of one verb and how their payloads become the printed result. */
export interface VerbPlan {
  readonly calls: readonly PlannedCall[];
  readonly result: (payloads: readonly unknown[]) => unknown;
}

/** The verb's positional arguments after `<remote_id>`, its raw `--params`, and its budget. */
export interface VerbArgs {
  readonly args: readonly string[];
  readonly params: string | undefined;
  /** Overall budget (ms). */
  readonly budgetMs: number;
}

/**
 * `node.invoke`'s own `timeoutMs`: a little under the overall budget, so a slow node
 * is reported by the gateway (a precise error) before our deadline (an ambiguous
 * "request was sent" timeout). Margin: a fifth of the budget, at most 2000 ms.
 */
export function nodeInvokeTimeoutMs(budgetMs: number): number {
  return Math.max(1, budgetMs - Math.min(2_000, Math.floor(budgetMs / 5)));
}

function pendingOf(method: string, payload: unknown): unknown[] {
  const pending = payload !== null && typeof payload === "object" ? (payload as Record<string, unknown>)["pending"] : undefined;
  if (!Array.isArray(pending)) {
    throw new CliError(ExitCodes.GATEWAY_ERROR, "cli_error", "UNEXPECTED_RESPONSE", `${method} answered without a pending list`);
  }
  return pending;
}

/**
 * `exec.approval.list`'s records (`[{id, request, createdAtMs, expiresAtMs}]`) without
 * `request.env`: environment overrides of the command may hold secrets, and deciding is
 * not the agent's job anyway.
 */
function approvalsOf(payload: unknown): unknown[] {
  if (!Array.isArray(payload)) {
    throw new CliError(ExitCodes.GATEWAY_ERROR, "cli_error", "UNEXPECTED_RESPONSE", "exec.approval.list answered without a list");
  }
  return payload.map((record: unknown) => {
    if (record === null || typeof record !== "object") return record;
    const { request, ...rest } = record as Record<string, unknown>;
    if (request === null || typeof request !== "object") return record;
    const { env: _env, ...shown } = request as Record<string, unknown>;
    return { ...rest, request: shown };
  });
}

/** `node.invoke`'s result without `payloadJSON`, which repeats `payload` as a string (half the tokens for nothing). */
function invokeResult(payload: unknown): unknown {
  if (payload === null || typeof payload !== "object" || !("payload" in payload)) return payload;
  const { payloadJSON: _duplicate, ...rest } = payload as Record<string, unknown>;
  return rest;
}

function single(method: string, params: unknown): VerbPlan {
  return { calls: [{ method, params }], result: ([payload]) => payload };
}

function arg(args: readonly string[], index: number): string {
  // commander guarantees the declared positionals; this only satisfies the type checker.
  return args[index] ?? "";
}

/**
 * What a network verb sends. Everything decidable locally is decided here, before any
 * secret is resolved or socket opened: `--params` syntax (exit 2) and the remote's skill
 * policy (exit 6).
 */
export function planVerb(verb: Exclude<VerbName, "remotes">, remote: RemoteContext, input: VerbArgs): VerbPlan {
  switch (verb) {
    case "list_nodes":
      return single("node.list", {});
    case "describe_node":
      return single("node.describe", { nodeId: arg(input.args, 0) });
    case "status":
      return single("status", {});
    case "health":
      return single("health", {});
    case "presence":
      return single("system-presence", {});
    case "pending_pairings":
      return {
        calls: [
          { method: "device.pair.list", params: {} },
          { method: "node.pair.list", params: {} },
        ],
        result: ([devices, nodes]) => ({ devices: pendingOf("device.pair.list", devices), nodes: pendingOf("node.pair.list", nodes) }),
      };
    case "pending_approvals":
      return { calls: [{ method: "exec.approval.list", params: {} }], result: ([list]) => ({ approvals: approvalsOf(list) }) };
    case "invoke": {
      const nodeId = arg(input.args, 0);
      const command = arg(input.args, 1);
      const params = parseParamsJson(input.params, undefined);
      assertInvokeAllowed(remote.id, remote.policy, command);
      const request: Record<string, unknown> = {
        nodeId,
        command,
        timeoutMs: nodeInvokeTimeoutMs(input.budgetMs),
        // One invocation per process run: a retry by the agent is a new, deliberate request.
        idempotencyKey: randomUUID(),
      };
      if (params !== undefined) request["params"] = params;
      return { calls: [{ method: "node.invoke", params: request }], result: ([payload]) => invokeResult(payload) };
    }
    case "call": {
      const method = arg(input.args, 0);
      const params = parseParamsJson(input.params, {});
      assertCallAllowed(remote.id, remote.policy, method, params);
      return single(method, params);
    }
  }
}

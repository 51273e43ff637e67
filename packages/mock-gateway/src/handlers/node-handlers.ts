import { ErrorCodes, Methods, OperatorScopes, scopeSatisfied } from "@clawbridge/protocol";
import { GatewayRequestError, gatewayError } from "@clawbridge/rpc-core";
import * as z from "zod";
import { compareNodeEntries, toNodeEntry } from "../node-entry.js";
import { nodeCommandRejection } from "../node-command-policy.js";
import { nodeNotConnected, nodePairingChanged } from "../node-invoke-broker.js";
import type { MockRuntime } from "../mock-runtime.js";

/** The `system.run` param keys the gateway forwards to the node (`pickSystemRunParams`). */
const SYSTEM_RUN_KEYS = [
  "command",
  "rawCommand",
  "systemRunPlan",
  "cwd",
  "env",
  "timeoutMs",
  "needsScreenRecording",
  "agentId",
  "sessionKey",
  "runId",
  "suppressNotifyOnExit",
] as const;

function forwardedParams(command: string, params: unknown): unknown {
  if (command !== "system.run" || typeof params !== "object" || params === null || Array.isArray(params)) return params;
  const source = params as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const key of SYSTEM_RUN_KEYS) if (source[key] !== undefined) picked[key] = source[key];
  return picked;
}

const NodeEventParams = z.strictObject({
  event: z.string().min(1),
  payload: z.unknown().optional(),
  payloadJSON: z.string().nullable().optional(),
});

/** `node.list`, `node.describe`, `node.invoke`, and the node-side `node.invoke.result` / `node.event`. */
export function registerNodeHandlers(runtime: MockRuntime): void {
  const { server, nodes, pairing, invokes } = runtime;
  const canSeePending = (scopes: readonly string[]): boolean => scopeSatisfied(scopes, OperatorScopes.PAIRING);

  server.router.register(
    Methods.NodeList,
    runtime.wrap("node.list", ({ ctx }) => ({
      ts: Date.now(),
      nodes: nodes
        .list()
        .map((record) => toNodeEntry(record, nodes, pairing, canSeePending(ctx.scopes) || ctx.deviceId === record.nodeId))
        .sort(compareNodeEntries),
    })),
  );

  server.router.register(
    Methods.NodeDescribe,
    runtime.wrap("node.describe", ({ params, ctx }) => {
      const record = nodes.get(params.nodeId);
      if (record === undefined) throw gatewayError(ErrorCodes.INVALID_REQUEST, "unknown nodeId");
      return {
        ts: Date.now(),
        ...toNodeEntry(record, nodes, pairing, canSeePending(ctx.scopes) || ctx.deviceId === record.nodeId),
      };
    }),
  );

  server.router.register(
    Methods.NodeInvoke,
    runtime.wrap("node.invoke", async ({ params }) => {
      const { nodeId, command } = params;
      if (command === "system.execApprovals.get" || command === "system.execApprovals.set") {
        throw gatewayError(
          ErrorCodes.INVALID_REQUEST,
          "node.invoke does not allow system.execApprovals.*; use exec.approvals.node.*",
          { command },
        );
      }
      if (/^worker\..+\.v1$/.test(command)) {
        throw gatewayError(ErrorCodes.INVALID_REQUEST, "node.invoke does not allow private node controls", { command });
      }
      const outcome = await invokes.dedupe(params.idempotencyKey, async () => {
        const record = nodes.get(nodeId);
        if (record === undefined || record.approvedAtMs === undefined) {
          return { ok: false as const, error: nodePairingChanged(), dispatched: false };
        }
        if (!nodes.isConnected(record)) {
          return { ok: false as const, error: nodeNotConnected(), dispatched: false };
        }
        const rejection = nodeCommandRejection(command, record.platform, record.declaredCommands, nodes.allowlist(record), nodes.config);
        if (rejection !== undefined) {
          return {
            ok: false as const,
            error: { code: ErrorCodes.INVALID_REQUEST, message: rejection.message, details: { reason: rejection.reason, command } },
            dispatched: false,
          };
        }
        return await invokes.invoke(record, command, forwardedParams(command, params.params), {
          timeoutMs: params.timeoutMs,
          idempotencyKey: params.idempotencyKey,
          sessionKey: params.sessionKey,
        });
      });
      if (!outcome.ok) throw new GatewayRequestError(outcome.error);
      return { ok: true, nodeId, command, payload: outcome.payload, payloadJSON: outcome.payloadJSON };
    }),
  );

  server.router.register(
    Methods.NodeInvokeResultReport,
    runtime.wrap("node.invoke.result", ({ params, ctx }) => {
      if (ctx.deviceId !== undefined && ctx.deviceId !== params.nodeId) {
        throw gatewayError(ErrorCodes.INVALID_REQUEST, "nodeId mismatch");
      }
      return invokes.complete(params) ? { ok: true } : { ok: true, ignored: true };
    }),
  );

  server.router.register(
    "node.event",
    runtime.wrap("node.event", ({ params }) => {
      const event = (params as z.output<typeof NodeEventParams>).event;
      // The mock runs no agent turns, so exec lifecycle events never match a run.
      return event.startsWith("exec.") ? { handled: false, reason: "unmatched_exec_event" } : { ok: true };
    }),
    { paramsSchema: NodeEventParams },
  );
}

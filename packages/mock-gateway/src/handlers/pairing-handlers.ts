import { ErrorCodes, Methods, OperatorScopes, missingScopeError, scopeSatisfied } from "@clawbridge/protocol";
import { GatewayRequestError, gatewayError } from "@clawbridge/rpc-core";
import type { PairedDevice } from "@clawbridge/server";
import * as z from "zod";
import type { MockRuntime } from "../mock-runtime.js";

const RequestIdParams = z.strictObject({ requestId: z.string().min(1) });

/** A paired device as listed to operators: never its tokens. */
function publicDevice(device: PairedDevice): Record<string, unknown> {
  const { tokens, ...rest } = device;
  return {
    ...rest,
    tokens: Object.values(tokens).map((token) => ({ role: token.role, scopes: token.scopes, issuedAtMs: token.issuedAtMs })),
  };
}

/** `node.pair.*` (node command-surface approval) and `device.pair.*` (the pairing store). */
export function registerPairingHandlers(runtime: MockRuntime): void {
  const { server, nodes, pairing } = runtime;

  server.router.register(
    Methods.NodePairList,
    runtime.wrap("node.pair.list", () => ({
      pending: nodes.listPending(),
      paired: nodes
        .list()
        .filter((record) => record.approvedAtMs !== undefined)
        .map((record) => ({
          nodeId: record.nodeId,
          clientId: record.clientId,
          clientMode: record.clientMode,
          displayName: record.displayName,
          platform: record.platform,
          version: record.version,
          deviceFamily: record.deviceFamily,
          caps: [...new Set(record.caps)].sort(),
          commands: [...record.approvedCommands].sort(),
          createdAtMs: record.approvedAtMs,
          approvedAtMs: record.approvedAtMs,
          lastSeenAtMs: record.lastSeenAtMs,
          lastSeenReason: record.lastSeenReason,
        })),
    })),
  );

  server.router.register(
    Methods.NodePairApprove,
    runtime.wrap("node.pair.approve", ({ params, ctx }) => {
      const request = nodes.getPending(params.requestId);
      if (request === undefined) throw gatewayError(ErrorCodes.INVALID_REQUEST, "unknown requestId");
      const missing = request.requiredApproveScopes.find((scope) => !scopeSatisfied(ctx.scopes, scope));
      if (missing !== undefined) throw new GatewayRequestError(missingScopeError(missing, request.requiredApproveScopes));
      nodes.approve(params.requestId);
      runtime.broadcast("node.pair.resolved", {
        requestId: request.requestId,
        nodeId: request.nodeId,
        decision: "approved",
        ts: Date.now(),
      });
      return { requestId: request.requestId, node: { nodeId: request.nodeId, commands: request.commands } };
    }),
  );

  server.router.register(
    "node.pair.reject",
    runtime.wrap("node.pair.reject", ({ params }) => {
      const { requestId } = params as z.output<typeof RequestIdParams>;
      const request = nodes.reject(requestId);
      if (request === undefined) throw gatewayError(ErrorCodes.INVALID_REQUEST, "unknown requestId");
      runtime.broadcast("node.pair.resolved", { requestId, nodeId: request.nodeId, decision: "rejected", ts: Date.now() });
      return { requestId, nodeId: request.nodeId };
    }),
    { paramsSchema: RequestIdParams },
  );

  server.router.register(
    Methods.DevicePairList,
    runtime.wrap("device.pair.list", () => ({
      pending: pairing.listPending(),
      paired: pairing.listPaired().map(publicDevice),
    })),
  );

  server.router.register(
    Methods.DevicePairApprove,
    runtime.wrap("device.pair.approve", ({ params, ctx }) => {
      const request = pairing.getPending(params.requestId);
      if (request === undefined) throw gatewayError(ErrorCodes.INVALID_REQUEST, "unknown requestId");
      // An approver cannot grant more than it holds (OpenClaw checks callerScopes).
      const beyond = request.scopes.find((scope) => !scopeSatisfied(ctx.scopes, scope));
      if (beyond !== undefined && !ctx.scopes.includes(OperatorScopes.ADMIN)) {
        throw new GatewayRequestError(missingScopeError(beyond, [OperatorScopes.PAIRING, beyond]));
      }
      const approved = pairing.approve(params.requestId);
      if (approved === undefined) throw gatewayError(ErrorCodes.INVALID_REQUEST, "unknown requestId");
      return {
        requestId: params.requestId,
        device: { deviceId: approved.device.deviceId, roles: approved.device.roles, scopes: approved.device.scopes },
      };
    }),
  );

  server.router.register(
    "device.pair.reject",
    runtime.wrap("device.pair.reject", ({ params }) => {
      const { requestId } = params as z.output<typeof RequestIdParams>;
      const rejected = pairing.reject(requestId);
      if (rejected === undefined) throw gatewayError(ErrorCodes.INVALID_REQUEST, "unknown requestId");
      return { requestId, deviceId: rejected.deviceId };
    }),
    { paramsSchema: RequestIdParams },
  );
}

import { ErrorCodes } from "@clawbridge/protocol";
import { gatewayError } from "@clawbridge/rpc-core";
import type { ServerConnection } from "@clawbridge/server";
import * as z from "zod";
import type { MockRuntime } from "../mock-runtime.js";
import type { NodeRecord } from "../node-registry.js";

const PluginToolsParams = z.strictObject({ tools: z.array(z.unknown()) });
const SkillsParams = z.strictObject({ skills: z.array(z.unknown()) });

/** The only runner protocol feature 2026.9.6 accepts from a node host. */
const RUNNER_PROTOCOL_FEATURE = "node-worker-supervisor-v6";

/**
 * `{protocolFeatures: []}`, or `{protocolFeatures: ["node-worker-supervisor-v6"], workerHost: {enabled, …}}`
 * (OpenClaw's `parseNodeRunnerInventoryDeclaration`); anything else is invalid.
 */
function isRunnerInventory(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const features = record["protocolFeatures"];
  if (!Array.isArray(features)) return false;
  const keys = Object.keys(record);
  if (features.length === 0) return keys.length === 1;
  const workerHost = record["workerHost"];
  return (
    features.length === 1 &&
    features[0] === RUNNER_PROTOCOL_FEATURE &&
    keys.length === 2 &&
    typeof workerHost === "object" &&
    workerHost !== null &&
    typeof (workerHost as Record<string, unknown>)["enabled"] === "boolean"
  );
}

/**
 * The node-role surface updates a real `openclaw node run` host sends right after `hello-ok`
 * (observed against the mock): `node.pluginTools.update`, `node.skills.update`,
 * `node.runnerInventory.update`. Answers follow OpenClaw 2026.9.6 (`nodes.read.ts`): the
 * node's own id back, `unknown nodeId` from a socket that is not the node's current one,
 * and a retryable `UNAVAILABLE` runner inventory while the command surface awaits approval.
 */
export function registerNodeSurfaceHandlers(runtime: MockRuntime): void {
  const { server, nodes } = runtime;

  /** The node record this socket is the current connection of. */
  const ownRecord = (ctx: ServerConnection): NodeRecord => {
    const nodeId = ctx.deviceId ?? ctx.connect.client.id;
    const record = nodes.get(nodeId);
    if (record === undefined || record.connection !== ctx) throw gatewayError(ErrorCodes.INVALID_REQUEST, "unknown nodeId");
    return record;
  };

  server.router.register(
    "node.pluginTools.update",
    runtime.wrap("node.pluginTools.update", ({ params, ctx }) => {
      const record = ownRecord(ctx);
      record.nodePluginTools = [...(params as z.output<typeof PluginToolsParams>).tools];
      return { nodeId: record.nodeId, tools: record.nodePluginTools };
    }),
    { paramsSchema: PluginToolsParams },
  );

  server.router.register(
    "node.skills.update",
    runtime.wrap("node.skills.update", ({ params, ctx }) => {
      const record = ownRecord(ctx);
      record.nodeSkills = [...(params as z.output<typeof SkillsParams>).skills];
      return { nodeId: record.nodeId, skills: record.nodeSkills };
    }),
    { paramsSchema: SkillsParams },
  );

  server.router.register(
    "node.runnerInventory.update",
    runtime.wrap("node.runnerInventory.update", ({ params, ctx }) => {
      if (!isRunnerInventory(params)) throw gatewayError(ErrorCodes.INVALID_REQUEST, "invalid node runner inventory");
      if (ctx.deviceId === undefined) throw gatewayError(ErrorCodes.INVALID_REQUEST, "unknown nodeId");
      const record = ownRecord(ctx);
      if (record.approvedAtMs === undefined) {
        const pending = nodes.pendingFor(record.nodeId);
        throw gatewayError(
          ErrorCodes.UNAVAILABLE,
          pending !== undefined
            ? `node capability surface is awaiting operator approval; run \`openclaw nodes approve ${pending.requestId}\` (see \`openclaw nodes pending\`), then this node retries automatically`
            : "node runner inventory publication is not current; retry after pairing completes",
        );
      }
      return { nodeId: record.nodeId };
    }),
  );
}

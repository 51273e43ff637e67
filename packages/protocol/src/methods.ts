import * as z from "zod";
import { defineMethod } from "./define-method.js";
import { lazySchema } from "./lazy-schema.js";
import { HealthSnapshot, PresenceEntry } from "./hello-ok.js";

const nonEmpty = z.string().min(1);

/** A node as `node.list` / `node.describe` report it (§5.4). Open: many optional extras. */
export const NodeEntry = lazySchema(() =>
  z.looseObject({
    /** The node's device id. */
    nodeId: nonEmpty,
    displayName: z.string().optional(),
    platform: z.string().optional(),
    version: z.string().optional(),
    clientId: z.string().optional(),
    clientMode: z.string().optional(),
    deviceFamily: z.string().optional(),
    remoteIp: z.string().optional(),
    caps: z.array(z.string()),
    /** Effective commands: declared, approved and allowlisted. */
    commands: z.array(z.string()),
    sessionHost: z.boolean().optional(),
    approvalState: z.enum(["approved", "pending-approval", "pending-reapproval", "unapproved"]).optional(),
    pendingRequestId: z.string().optional(),
    connectedAtMs: z.int().optional(),
    lastConnectedAtMs: z.int().optional(),
    lastSeenAtMs: z.int().optional(),
    approvedAtMs: z.int().optional(),
    paired: z.boolean(),
    connected: z.boolean(),
  }),
);
export type NodeEntry = z.infer<typeof NodeEntry>;

/** Result of `node.invoke` on success. */
export const NodeInvokeResult = lazySchema(() =>
  z.looseObject({
    ok: z.boolean(),
    nodeId: nonEmpty,
    command: nonEmpty,
    payload: z.unknown(),
    payloadJSON: z.string().nullable().optional(),
  }),
);
export type NodeInvokeResult = z.infer<typeof NodeInvokeResult>;

/** What a node's `system.run` returns in `node.invoke`'s `payload`. */
export const SystemRunResult = lazySchema(() =>
  z.looseObject({
    exitCode: z.int().nullable(),
    stdout: z.string(),
    stderr: z.string(),
    timedOut: z.boolean(),
  }),
);
export type SystemRunResult = z.infer<typeof SystemRunResult>;

/** Typed constants for the methods this toolkit uses (schemas built on first use, see {@link defineMethod}). */
export const Methods = {
  Health: defineMethod(
    "health",
    () => z.looseObject({ probe: z.boolean().optional() }),
    HealthSnapshot,
  ),
  Status: defineMethod(
    "status",
    () => z.looseObject({ includeChannelSummary: z.boolean().optional(), includeCliProjection: z.boolean().optional() }),
    () => z.looseObject({}),
  ),
  SystemPresence: defineMethod(
    "system-presence",
    () => z.looseObject({}),
    () => z.array(PresenceEntry),
  ),
  LastHeartbeat: defineMethod(
    "last-heartbeat",
    () => z.looseObject({}),
    () => z.unknown(),
  ),
  NodeList: defineMethod(
    "node.list",
    () => z.strictObject({}),
    () => z.looseObject({ ts: z.int(), activeNodeId: z.string().optional(), nodes: z.array(NodeEntry) }),
  ),
  NodeDescribe: defineMethod(
    "node.describe",
    () => z.strictObject({ nodeId: nonEmpty }),
    () => NodeEntry.unwrap().extend({ ts: z.int(), active: z.literal(true).optional() }),
  ),
  NodeInvoke: defineMethod(
    "node.invoke",
    () => z.strictObject({
      nodeId: nonEmpty,
      command: nonEmpty,
      params: z.unknown().optional(),
      timeoutMs: z.int().min(0).optional(),
      idempotencyKey: nonEmpty,
      sessionKey: nonEmpty.optional(),
      turnSourceChannel: z.string().optional(),
      turnSourceTo: z.string().optional(),
      turnSourceAccountId: z.string().optional(),
      turnSourceThreadId: z.union([z.string(), z.number()]).optional(),
    }),
    NodeInvokeResult,
  ),
  NodeInvokeResultReport: defineMethod(
    "node.invoke.result",
    () => z.strictObject({
      id: nonEmpty,
      nodeId: nonEmpty,
      ok: z.boolean(),
      payload: z.unknown().optional(),
      payloadJSON: z.string().nullable().optional(),
      error: z.strictObject({ code: nonEmpty.optional(), message: nonEmpty.optional() }).optional(),
    }),
    () => z.unknown(),
  ),
  LogsTail: defineMethod(
    "logs.tail",
    () => z.strictObject({
      cursor: z.int().min(0).optional(),
      limit: z.int().min(1).max(5000).optional(),
      maxBytes: z.int().min(1).max(1_000_000).optional(),
    }),
    () => z.strictObject({
      file: nonEmpty,
      cursor: z.int().min(0),
      size: z.int().min(0),
      lines: z.array(z.string()),
      truncated: z.boolean().optional(),
      reset: z.boolean().optional(),
      skippedBytes: z.int().min(0).optional(),
    }),
  ),
  NodePairList: defineMethod(
    "node.pair.list",
    () => z.strictObject({}),
    () => z.looseObject({}),
  ),
  NodePairApprove: defineMethod(
    "node.pair.approve",
    () => z.strictObject({ requestId: nonEmpty }),
    () => z.looseObject({}),
  ),
  DevicePairList: defineMethod(
    "device.pair.list",
    () => z.strictObject({}),
    () => z.looseObject({}),
  ),
  DevicePairApprove: defineMethod(
    "device.pair.approve",
    () => z.strictObject({ requestId: nonEmpty }),
    () => z.looseObject({}),
  ),
} as const;

/** Methods with a typed schema, keyed by wire name. */
export const TYPED_METHODS: ReadonlyMap<string, (typeof Methods)[keyof typeof Methods]> = new Map(
  Object.values(Methods).map((definition) => [definition.method, definition]),
);

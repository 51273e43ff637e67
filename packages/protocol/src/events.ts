import * as z from "zod";
import { lazySchema } from "./lazy-schema.js";

/** Event names with a fixed meaning in the handshake and lifecycle. */
export const GatewayEvents = {
  CONNECT_CHALLENGE: "connect.challenge",
  TICK: "tick",
  HEALTH: "health",
  PRESENCE: "presence",
  SHUTDOWN: "shutdown",
  NODE_INVOKE_REQUEST: "node.invoke.request",
  NODE_INVOKE_CANCEL: "node.invoke.cancel",
  NODE_PAIR_REQUESTED: "node.pair.requested",
  NODE_PAIR_RESOLVED: "node.pair.resolved",
  DEVICE_PAIR_REQUESTED: "device.pair.requested",
  DEVICE_PAIR_RESOLVED: "device.pair.resolved",
} as const;

/** `connect.challenge` payload, sent by the server first, without `seq`. */
export const ConnectChallengePayload = lazySchema(() =>
  z.looseObject({
    nonce: z.string().min(1),
    /** Server `Date.now()` in ms. */
    ts: z.int().min(0),
    capabilities: z.array(z.string()).optional(),
  }),
);
export type ConnectChallengePayload = z.infer<typeof ConnectChallengePayload>;

/** `tick` payload, every `policy.tickIntervalMs`. Closed. */
export const TickPayload = lazySchema(() => z.strictObject({ ts: z.int().min(0) }));
export type TickPayload = z.infer<typeof TickPayload>;

/** `shutdown` payload, broadcast before the gateway closes sockets with 1012. Closed. */
export const ShutdownPayload = lazySchema(() =>
  z.strictObject({
    reason: z.string().min(1),
    restartExpectedMs: z.int().min(0).optional(),
  }),
);
export type ShutdownPayload = z.infer<typeof ShutdownPayload>;

/** Gateway → node `node.invoke.request` payload (sent without `seq`). */
export const NodeInvokeRequestPayload = lazySchema(() =>
  z.strictObject({
    id: z.string().min(1),
    nodeId: z.string().min(1),
    command: z.string().min(1),
    paramsJSON: z.string().nullable().optional(),
    timeoutMs: z.int().min(0).optional(),
    idempotencyKey: z.string().min(1).optional(),
    sessionKey: z.string().min(1).optional(),
  }),
);
export type NodeInvokeRequestPayload = z.infer<typeof NodeInvokeRequestPayload>;

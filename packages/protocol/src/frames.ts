import * as z from "zod";

/**
 * The error object of a failed response. Closed, as in OpenClaw; `details` stays open
 * (its shape depends on `details.code`).
 */
export const ErrorShape = z.strictObject({
  code: z.string().min(1),
  message: z.string().min(1),
  details: z.unknown().optional(),
  retryable: z.boolean().optional(),
  retryAfterMs: z.int().min(0).optional(),
});
export type ErrorShape = z.infer<typeof ErrorShape>;

/** `{type:"req"}`: a method call. `traceparent` is W3C trace context (≤128 chars). */
export const RequestFrame = z.strictObject({
  type: z.literal("req"),
  id: z.string().min(1),
  method: z.string().min(1),
  params: z.unknown().optional(),
  traceparent: z.string().max(128).optional(),
  /** 2026.9.6 addition (profile binding); absent from the 2026.9.1 JSON contract. */
  expectedProfileId: z.string().min(1).max(128).optional(),
});
export type RequestFrame = z.infer<typeof RequestFrame>;

/** `{type:"res"}`: the answer to the request with the same `id`. */
export const ResponseFrame = z.strictObject({
  type: z.literal("res"),
  id: z.string().min(1),
  ok: z.boolean(),
  payload: z.unknown().optional(),
  error: ErrorShape.optional(),
});
export type ResponseFrame = z.infer<typeof ResponseFrame>;

/** Presence/health state versions attached to state-bearing events. */
export const StateVersion = z.strictObject({
  presence: z.int().min(0),
  health: z.int().min(0),
});
export type StateVersion = z.infer<typeof StateVersion>;

/** `{type:"event"}`: a server push. `seq` is per socket, starting at 1, on broadcast events only. */
export const EventFrame = z.strictObject({
  type: z.literal("event"),
  event: z.string().min(1),
  payload: z.unknown().optional(),
  seq: z.int().min(0).optional(),
  stateVersion: StateVersion.optional(),
  /** 2026.9.6 addition; absent from the 2026.9.1 JSON contract. */
  recipientProfileId: z.string().min(1).max(128).optional(),
});
export type EventFrame = z.infer<typeof EventFrame>;

/** Any frame on the control socket, discriminated on `type`. */
export const GatewayFrame = z.discriminatedUnion("type", [RequestFrame, ResponseFrame, EventFrame]);
export type GatewayFrame = z.infer<typeof GatewayFrame>;

/** The `type` discriminator values. */
export const FRAME_TYPES = ["req", "res", "event"] as const;

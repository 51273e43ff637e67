import { ErrorShape, EventFrame, MAX_PAYLOAD_BYTES, RequestFrame, ResponseFrame } from "@clawbridge/protocol";
import type { GatewayFrame } from "@clawbridge/protocol";
import * as z from "zod";
import { ProtocolViolationError } from "./errors.js";
import { formatValidationIssues } from "./validation-message.js";

/**
 * How strictly inbound envelopes are checked.
 * * `strict` (default): OpenClaw's closed objects — an unknown top-level key is an
 *   `invalid-frame` violation (what the gateway does to requests).
 * * `tolerant`: unknown keys in the envelope (and in `error`) are dropped, every known
 *   field is still checked — like OpenClaw's reference client, which survives gateways
 *   newer than itself (2026.9.6 added `expectedProfileId`/`recipientProfileId`).
 */
export type FrameValidation = "strict" | "tolerant";

/** Options of {@link decodeFrame}. */
export interface DecodeFrameOptions {
  /** Largest accepted frame in UTF-8 bytes. Default {@link MAX_PAYLOAD_BYTES} (26214400). */
  maxBytes?: number | undefined;
  /** Envelope strictness. Default `strict`. */
  validation?: FrameValidation | undefined;
}

/** Result of {@link decodeFrame}: never an exception. */
export type DecodeResult = { ok: true; frame: GatewayFrame } | { ok: false; error: ProtocolViolationError };

type FrameType = GatewayFrame["type"];

const STRICT: Record<FrameType, z.ZodType<GatewayFrame>> = {
  req: RequestFrame,
  res: ResponseFrame,
  event: EventFrame,
};

const TOLERANT: Record<FrameType, z.ZodType<GatewayFrame>> = {
  req: z.object(RequestFrame.shape),
  res: z.object({ ...ResponseFrame.shape, error: z.object(ErrorShape.shape).optional() }),
  event: z.object(EventFrame.shape),
};

function isFrameType(value: unknown): value is FrameType {
  return value === "req" || value === "res" || value === "event";
}

/**
 * Whether `text` is longer than `maxBytes` in UTF-8, computing the byte length only when
 * the UTF-16 length cannot decide (each code unit is 1 to 3 bytes).
 */
export function exceedsUtf8Bytes(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  if (text.length * 3 <= maxBytes) return false;
  return Buffer.byteLength(text, "utf8") > maxBytes;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * Parses and validates one inbound text frame against the protocol's zod schemas.
 * Never throws: every failure is a {@link ProtocolViolationError} whose `violation` is
 * `oversize`, `malformed-json`, `not-an-object`, `unknown-frame-type` or
 * `invalid-frame`, with a body-free `detail`, and the frame's `type`/`id` when readable
 * (so a server can answer `INVALID_REQUEST` to the right id).
 *
 * @param text - the received text
 * @param options - size limit (bytes, default 26214400) and strictness (default `strict`)
 */
export function decodeFrame(text: string, options: DecodeFrameOptions = {}): DecodeResult {
  const maxBytes = options.maxBytes ?? MAX_PAYLOAD_BYTES;
  if (exceedsUtf8Bytes(text, maxBytes)) {
    return { ok: false, error: new ProtocolViolationError("oversize", `frame exceeds ${maxBytes} bytes`) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the input, so it is not passed on.
    return { ok: false, error: new ProtocolViolationError("malformed-json", "frame is not valid JSON") };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      error: new ProtocolViolationError("not-an-object", `frame is ${describeType(value)}, expected an object`),
    };
  }
  const record = value as Record<string, unknown>;
  const id = typeof record.id === "string" && record.id.length > 0 ? record.id : undefined;
  const type = record.type;
  if (!isFrameType(type)) {
    const detail =
      type === undefined
        ? "must have required property 'type'"
        : `at /type: must be equal to one of "req", "res", "event"`;
    return { ok: false, error: new ProtocolViolationError("unknown-frame-type", detail, { frameId: id }) };
  }
  const schema = (options.validation === "tolerant" ? TOLERANT : STRICT)[type];
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      error: new ProtocolViolationError("invalid-frame", formatValidationIssues(parsed.error.issues, value), {
        frameType: type,
        frameId: id,
      }),
    };
  }
  return { ok: true, frame: parsed.data };
}

/**
 * Serialises a frame to its wire text (`JSON.stringify`; `undefined` fields vanish).
 * Throws what `JSON.stringify` throws (cycles, BigInt) — callers own their payloads.
 */
export function encodeFrame(frame: GatewayFrame): string {
  return JSON.stringify(frame);
}

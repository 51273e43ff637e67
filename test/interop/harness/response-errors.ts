import type { InboundFrame } from "./raw-client.ts";
import { isObject } from "./raw-client.ts";

/**
 * The `error` objects of every `res` frame in a transcript, keyed by response id (the last one
 * wins for a repeated id), plus `null` for successful responses. Meant for a strict
 * `toEqual` between two gateways: it keeps the whole error (code, message, details,
 * retryable, retryAfterMs) and drops payloads, whose content legitimately differs.
 */
export function responseErrors(transcript: readonly InboundFrame[]): Record<string, unknown> {
  const errors: Record<string, unknown> = {};
  for (const frame of transcript) {
    const json = frame.json;
    if (!isObject(json) || json["type"] !== "res" || typeof json["id"] !== "string") continue;
    errors[json["id"]] = json["ok"] === true ? null : (json["error"] ?? "missing error");
  }
  return errors;
}

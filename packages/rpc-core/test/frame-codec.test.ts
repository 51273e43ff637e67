import { GatewayFrame, MAX_PAYLOAD_BYTES } from "@clawbridge/protocol";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ProtocolViolationError, decodeFrame, encodeFrame, formatValidationIssues } from "../src/index.js";

function violation(text: string, options: Parameters<typeof decodeFrame>[1] = {}): ProtocolViolationError {
  const result = decodeFrame(text, options);
  if (result.ok) throw new Error(`expected a violation for ${text}`);
  expect(result.error).toBeInstanceOf(ProtocolViolationError);
  return result.error;
}

describe("decodeFrame", () => {
  it("decodes the three frame types", () => {
    const frames = [
      { type: "req", id: "1:abc", method: "health", params: { probe: true } },
      { type: "res", id: "1:abc", ok: false, error: { code: "UNAVAILABLE", message: "busy", retryable: true, retryAfterMs: 5 } },
      { type: "event", event: "tick", payload: { ts: 1 }, seq: 3, stateVersion: { presence: 1, health: 1 } },
    ];
    for (const frame of frames) {
      expect(decodeFrame(encodeFrame(GatewayFrame.parse(frame)))).toEqual({ ok: true, frame });
    }
  });

  it("classifies bad input and never throws", () => {
    expect(violation("{nope").violation).toBe("malformed-json");
    expect(violation("").violation).toBe("malformed-json");
    expect(violation("[]")).toMatchObject({ violation: "not-an-object", detail: "frame is an array, expected an object" });
    expect(violation("42").detail).toBe("frame is a number, expected an object");
    expect(violation('"str"').detail).toBe("frame is a string, expected an object");
    expect(violation("null").detail).toBe("frame is null, expected an object");
    expect(violation('{"type":"rpc","id":"x"}')).toMatchObject({ violation: "unknown-frame-type", frameId: "x" });
    expect(violation('{"id":"x"}').detail).toBe("must have required property 'type'");
    expect(violation('{"type":"req","id":"","method":"m"}')).toMatchObject({
      violation: "invalid-frame",
      frameType: "req",
      frameId: undefined,
      detail: "at /id: must not have fewer than 1 characters",
    });
    expect(violation('{"type":"res","id":"r","ok":true,"extra":{}}')).toMatchObject({
      frameType: "res",
      frameId: "r",
      detail: "at root: unexpected property 'extra'",
    });
    expect(violation('{"type":"event","event":"e","seq":1.5}').detail).toBe("at /seq: must be integer");
  });

  it("does not quote the frame body in malformed-JSON details", () => {
    const error = violation('{"token":"hunter2-secret"');
    expect(error.message).not.toContain("hunter2");
    expect(JSON.stringify(error)).not.toContain("hunter2");
  });

  it("enforces maxBytes in UTF-8 bytes, defaulting to MAX_PAYLOAD_BYTES", () => {
    const ascii = JSON.stringify({ type: "event", event: "e", payload: "x".repeat(100) });
    expect(decodeFrame(ascii, { maxBytes: ascii.length }).ok).toBe(true);
    expect(violation(ascii, { maxBytes: ascii.length - 1 })).toMatchObject({
      violation: "oversize",
      detail: `frame exceeds ${ascii.length - 1} bytes`,
    });
    // 40 three-byte characters: 40 UTF-16 units but 120 bytes.
    const wide = JSON.stringify({ type: "event", event: "e", payload: "✓".repeat(40) });
    expect(violation(wide, { maxBytes: 100 }).violation).toBe("oversize");
    expect(decodeFrame(JSON.stringify({ type: "event", event: "e", payload: "x".repeat(MAX_PAYLOAD_BYTES) })).ok).toBe(false);
  });

  it("tolerant mode drops unknown envelope keys but still checks known fields", () => {
    const newer = '{"type":"res","id":"r","ok":false,"error":{"code":"X","message":"m","hint":1},"trace":"t"}';
    expect(decodeFrame(newer, { validation: "tolerant" })).toEqual({
      ok: true,
      frame: { type: "res", id: "r", ok: false, error: { code: "X", message: "m" } },
    });
    expect(decodeFrame(newer).ok).toBe(false);
    expect(decodeFrame('{"type":"res","id":"","ok":true,"x":1}', { validation: "tolerant" }).ok).toBe(false);
  });
});

describe("formatValidationIssues", () => {
  const schema = z.strictObject({
    nodeId: z.string().min(1),
    idempotencyKey: z.string().min(1),
    timeoutMs: z.int().min(0).optional(),
    nested: z.strictObject({ mode: z.enum(["a", "b"]), list: z.array(z.string()).max(1) }).optional(),
  });
  const text = (input: unknown): string => {
    const result = schema.safeParse(input);
    if (result.success) throw new Error("expected failure");
    return formatValidationIssues(result.error.issues, input);
  };

  it("speaks OpenClaw's ajv dialect", () => {
    expect(text({ nodeId: "n", idempotencyKey: "k", bogus: 1 })).toBe("at root: unexpected property 'bogus'");
    expect(text({ nodeId: "n" })).toBe("must have required property 'idempotencyKey'");
    expect(text({ nodeId: "", idempotencyKey: "k" })).toBe("at /nodeId: must not have fewer than 1 characters");
    expect(text({ nodeId: "n", idempotencyKey: "k", timeoutMs: -1 })).toBe("at /timeoutMs: must be >= 0");
    expect(text({ nodeId: "n", idempotencyKey: "k", timeoutMs: "5" })).toBe("at /timeoutMs: must be number");
    expect(text("x")).toBe("must be object");
    expect(text({ nodeId: "n", idempotencyKey: "k", nested: { mode: "c", list: ["1", "2"], extra: 0 } })).toBe(
      'at /nested/mode: must be equal to one of "a", "b"; at /nested/list: must not have more than 1 items; at /nested: unexpected property \'extra\'',
    );
    expect(text({ nodeId: "n", idempotencyKey: "k", nested: { list: [] } })).toBe(
      "at /nested: must have required property 'mode'",
    );
  });

  it("caps long keys and the whole message", () => {
    const message = text({ nodeId: "n", idempotencyKey: "k", ["k".repeat(10_000)]: 1 });
    expect(message.length).toBeLessThanOrEqual(400);
  });
});

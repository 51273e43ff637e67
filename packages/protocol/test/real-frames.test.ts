import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GatewayFrame } from "../src/index.js";
import {
  additiveValidator,
  describeErrors,
  loadJsonDir,
  officialFrame,
  officialValidator,
  runOfficial,
  validFrames,
} from "./helpers/contract.js";
import { payloadChecksFor, requestMethods } from "./helpers/payload-checks.js";

/**
 * Frames captured from a real OpenClaw 2026.9.6 gateway by the interop suite (repo root
 * `test/interop/fixtures/real-frames/*.json`). The folder may be missing or empty; then
 * the same checks run on the committed corpus only, and the count test says so.
 */
const REAL_FRAMES_DIR = join(import.meta.dirname, "..", "..", "..", "test", "interop", "fixtures", "real-frames");

/**
 * Envelope keys 2026.9.6 sends that the 2026.9.1 contract's closed frames lack
 * (gateway-protocol §1.1, §9.3). Our zod frames accept them; the official schema is
 * checked with them removed.
 */
const ENVELOPE_ADDITIONS_2026_9_6: Readonly<Record<string, readonly string[]>> = {
  req: ["expectedProfileId"],
  event: ["recipientProfileId"],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The frame with the documented 2026.9.6 envelope additions removed. */
function withoutEnvelopeAdditions(frame: unknown): unknown {
  if (!isRecord(frame) || typeof frame["type"] !== "string") return frame;
  const drop = ENVELOPE_ADDITIONS_2026_9_6[frame["type"]] ?? [];
  return Object.fromEntries(Object.entries(frame).filter(([key]) => !drop.includes(key)));
}

function unwrap(entry: unknown): unknown {
  // A recorded frame ({index, text, json, ...}), raw sent text, or a bare frame.
  if (isRecord(entry) && "json" in entry && "text" in entry) return entry["json"];
  if (typeof entry === "string") return JSON.parse(entry) as unknown;
  return entry;
}

/**
 * The frames in one capture file: a frame object, an array of frames, or an object
 * holding arrays of frames (or of recorded `{text, json}` entries, or raw texts) under
 * `frames`, `transcript`, `received`, `sent`, `inbound` or `outbound`. Anything else
 * throws, so a format change fails loudly instead of checking nothing.
 */
function framesOfCapture(name: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value.map(unwrap);
  if (isRecord(value) && typeof value["type"] === "string") return [value];
  if (isRecord(value)) {
    const frames = ["frames", "transcript", "received", "sent", "inbound", "outbound"]
      .map((key) => value[key])
      .filter((list): list is unknown[] => Array.isArray(list))
      .flat()
      .map(unwrap);
    if (frames.length > 0) return frames;
  }
  throw new Error(`real-frames/${name}: unrecognised capture format (expected a frame, an array, or {frames:[…]})`);
}

const realFiles = loadJsonDir(REAL_FRAMES_DIR);
const realFrames = realFiles.flatMap(({ name, value }) =>
  framesOfCapture(name, value).map((frame, i) => ({ name: `real/${name}#${i}`, frame })),
);
const corpusFrames = validFrames.map(({ name, value }) => ({ name: `corpus/${name}`, frame: value }));
const allFrames = [...corpusFrames, ...realFrames];
const requests = requestMethods(allFrames.map((f) => f.frame));

describe("frames captured from OpenClaw 2026.9.6", () => {
  it("reports what it checks: the committed corpus plus every captured frame", () => {
    if (!existsSync(REAL_FRAMES_DIR) || realFiles.length === 0) {
      // No capture yet: only the committed corpus is checked (and it must be there).
      expect(realFrames).toEqual([]);
      expect(corpusFrames.length).toBeGreaterThanOrEqual(30);
    } else {
      // Every capture file must yield frames; an empty file is a broken capture.
      for (const { name, value } of realFiles) expect(framesOfCapture(name, value).length, name).toBeGreaterThan(0);
    }
    expect(allFrames.length).toBe(corpusFrames.length + realFrames.length);
  });

  describe.each(allFrames)("$name", ({ frame }) => {
    it("is a GatewayFrame (zod, 2026.9.6 envelope additions allowed)", () => {
      const parsed = GatewayFrame.safeParse(frame);
      expect(parsed.error?.issues ?? []).toEqual([]);
    });

    it("is an official 2026.9.1 frame once the documented 2026.9.6 envelope additions are removed", () => {
      const result = runOfficial(officialFrame, withoutEnvelopeAdditions(frame));
      expect(result.valid, describeErrors(result.errors)).toBe(true);
    });

    it("has payloads accepted by our schemas and, allowing added keys, by the official definitions", () => {
      for (const check of payloadChecksFor(frame, requests)) {
        expect(check.zod.safeParse(check.value).error?.issues ?? [], check.label).toEqual([]);
        if (check.official !== null) {
          const result = runOfficial(additiveValidator(check.official), check.value);
          expect(result.valid, `${check.label}: ${describeErrors(result.errors)}`).toBe(true);
        }
      }
    });
  });
});

describe("2026.9.1 contract vs 2026.9.6 wire: the envelope additions", () => {
  const request = {
    type: "req",
    id: "7:0d1c2b3a-4958-4766-8574-a3b2c1d0e9f8",
    method: "sessions.send",
    params: { key: "agent:main:main", message: "hi", idempotencyKey: "k1" },
    expectedProfileId: "profile-1",
  };
  const event = {
    type: "event",
    event: "sessions.changed",
    payload: { keys: ["agent:main:main"] },
    seq: 12,
    recipientProfileId: "profile-1",
  };

  it("zod accepts expectedProfileId (req) and recipientProfileId (event); the 2026.9.1 schema rejects exactly those keys", () => {
    for (const [frame, key] of [
      [request, "expectedProfileId"],
      [event, "recipientProfileId"],
    ] as const) {
      expect(GatewayFrame.safeParse(frame).success).toBe(true);
      const official = runOfficial(officialValidator(frame.type === "req" ? "RequestFrame" : "EventFrame"), frame);
      expect(official.valid).toBe(false);
      expect(official.errors).toContainEqual(
        expect.objectContaining({ keyword: "additionalProperties", params: { additionalProperty: key } }),
      );
      expect(runOfficial(officialFrame, withoutEnvelopeAdditions(frame)).valid).toBe(true);
    }
  });

  it("zod still bounds the additions (1..128 chars)", () => {
    expect(GatewayFrame.safeParse({ ...request, expectedProfileId: "" }).success).toBe(false);
    expect(GatewayFrame.safeParse({ ...event, recipientProfileId: "p".repeat(129) }).success).toBe(false);
    expect(GatewayFrame.safeParse({ ...event, recipientProfileId: "p".repeat(128) }).success).toBe(true);
  });

  it("the additions are not accepted on the other frame types", () => {
    expect(GatewayFrame.safeParse({ ...event, expectedProfileId: "p" }).success).toBe(false);
    const { expectedProfileId: _e, ...plainRequest } = request;
    expect(GatewayFrame.safeParse({ ...plainRequest, recipientProfileId: "p" }).success).toBe(false);
    expect(GatewayFrame.safeParse({ type: "res", id: "1", ok: true, expectedProfileId: "p" }).success).toBe(false);
  });

  it("a capture file in an unknown format fails instead of checking nothing", () => {
    expect(() => framesOfCapture("x.json", { hello: "world" })).toThrow(/unrecognised capture format/);
    expect(framesOfCapture("y.json", [{ index: 0, text: "{}", json: { type: "event", event: "tick" } }])).toEqual([
      { type: "event", event: "tick" },
    ]);
    expect(framesOfCapture("z.json", { frames: [{ type: "event", event: "tick" }] })).toEqual([
      { type: "event", event: "tick" },
    ]);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Peer, Router } from "../src/index.js";
import { ManualTransport } from "./harness.js";

/** Strings shaped like frames, with every field liable to be wrong, missing or extra. */
const frameLike = fc
  .record(
    {
      type: fc.oneof(fc.constantFrom("req", "res", "event", "REQ", ""), fc.anything()),
      id: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant("probe")),
      method: fc.oneof(fc.constantFrom("ping", "echo", ""), fc.string()),
      event: fc.oneof(fc.constantFrom("tick", ""), fc.string()),
      ok: fc.oneof(fc.boolean(), fc.anything()),
      params: fc.anything(),
      payload: fc.anything(),
      error: fc.oneof(fc.record({ code: fc.string(), message: fc.string() }), fc.anything()),
      seq: fc.oneof(fc.nat(), fc.integer(), fc.double()),
      extra: fc.anything(),
    },
    { requiredKeys: [] },
  )
  .map((value) => JSON.stringify(value));

const anyJson = fc
  .anything({ withBigInt: false })
  .map((value) => JSON.stringify(value))
  .filter((text): text is string => typeof text === "string");

const hostileText = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.json(),
  anyJson,
  frameLike,
  fc.constantFrom("[]", "42", '"str"', "null", "{", "{}", '{"__proto__":{"x":1}}', "[".repeat(10_000)),
);

describe.each([
  ["server (answers invalid frames)", true],
  ["client (reports only)", false],
] as const)("a %s peer under random input", (_label, answerInvalidFrames) => {
  it("never throws, stays open and still answers a valid request", async () => {
    const router = new Router();
    router.register("ping", () => "pong");
    const transport = new ManualTransport();
    const peer = new Peer(transport, { router, answerInvalidFrames, maxInboundBytes: 4_096 });
    let violations = 0;
    peer.onProtocolError(() => {
      violations += 1;
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostileText, async (text) => {
        expect(() => transport.inject(text)).not.toThrow();
        n += 1;
        transport.inject(JSON.stringify({ type: "req", id: `probe-${n}`, method: "ping" }));
        // Router dispatch is async: wait for this probe's answer.
        for (let i = 0; i < 10 && !transport.sent.some((t) => t.includes(`"probe-${n}"`)); i += 1) {
          await Promise.resolve();
        }
        const answer = transport.sentFrames().find((frame) => frame.id === `probe-${n}`);
        expect(answer).toEqual({ type: "res", id: `probe-${n}`, ok: true, payload: "pong" });
        expect(peer.isOpen).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(violations).toBeGreaterThan(0);
    // Every frame the peer wrote is itself a valid protocol frame.
    for (const text of transport.sent) {
      const frame = JSON.parse(text) as Record<string, unknown>;
      expect(frame.type).toBe("res");
      if (!answerInvalidFrames) expect(typeof frame.id === "string" && frame.id.length > 0).toBe(true);
    }
  });
});

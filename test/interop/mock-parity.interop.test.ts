import { randomUUID } from "node:crypto";
import { MockGateway } from "@clawbridge/mock-gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConnectParams, runFrameScript } from "./harness/frame-script.ts";
import { startRealGateway } from "./harness/gateway.ts";
import type { RealGateway } from "./harness/gateway.ts";
import { RawWsClient } from "./harness/raw-client.ts";
import { responseErrors } from "./harness/response-errors.ts";
import { DISPATCH_PARITY_CASES } from "./parity/dispatch-parity-cases.ts";
import type { HeaderParityCase } from "./parity/dispatch-parity-cases.ts";
import { HANDSHAKE_PARITY_CASES, WRONG_TOKEN } from "./parity/handshake-parity-cases.ts";

/**
 * Acceptance point 1 of issue #3: the same raw frame scripts, sent to a real
 * openclaw@2026.9.6 gateway and to clawbridge's MockGateway (same shared token), give the
 * same outcomes (response ok / error.code / details.code, close code and reason) and the
 * same full `error` objects. Every case runs on both targets side by side; the real
 * gateway's outcomes are also checked against what was observed when the case was written,
 * so a changed OpenClaw shows up as a real-side failure, not as a mock bug.
 */

const TOKEN = `interop-token-${randomUUID()}`;
const CASES: readonly HeaderParityCase[] = [...HANDSHAKE_PARITY_CASES, ...DISPATCH_PARITY_CASES];

let real: RealGateway;
let mock: MockGateway;

beforeAll(async () => {
  mock = new MockGateway({ auth: { token: TOKEN } });
  const [started] = await Promise.all([startRealGateway({ auth: { token: TOKEN } }), mock.start()]);
  real = started;
  process.stderr.write(`[interop] real gateway ${real.url} ready in ${real.startMs} ms; mock at ${mock.url}\n`);
});

afterAll(async () => {
  await Promise.all([real?.stop(), mock?.stop({ graceMs: 200 })]);
});

describe("frame-script parity: real OpenClaw gateway vs MockGateway", () => {
  for (const parityCase of CASES) {
    it(parityCase.name, async () => {
      const options = parityCase.headers !== undefined ? { headers: { ...parityCase.headers } } : {};
      const [onReal, onMock] = await Promise.all([
        runFrameScript(real.url, parityCase.script(TOKEN), options),
        runFrameScript(mock.url, parityCase.script(TOKEN), options),
      ]);
      expect(onReal.outcomes, "the real gateway no longer behaves as observed").toEqual(parityCase.expected);
      expect(onMock.outcomes, "mock outcomes").toEqual(onReal.outcomes);
      expect(responseErrors(onMock.transcript), "mock error objects").toEqual(responseErrors(onReal.transcript));
    });
  }
});

describe("upgrade-time and timing parity", () => {
  it("X-Forwarded-For from an untrusted proxy: both refuse the HTTP upgrade with 403", async () => {
    const headers = { "X-Forwarded-For": "203.0.113.9" };
    await expect(RawWsClient.connect(real.url, { headers })).rejects.toThrow(/HTTP 403/);
    await expect(RawWsClient.connect(mock.url, { headers })).rejects.toThrow(/HTTP 403/);
  });

  it("a wrong token is answered only after the loopback auth-failure delay (>= 250 ms) on both", async () => {
    // The delay is a floor set by a timer on both sides, so this lower bound cannot flake on a slow machine.
    const answerDelay = async (url: string): Promise<number> => {
      const result = await runFrameScript(url, [
        { kind: "connect", id: "c1", params: buildConnectParams({ scopes: ["operator.read"], auth: { token: WRONG_TOKEN } }) },
        { kind: "expect-response", id: "c1" },
      ]);
      const sentAt = result.transcript.find((frame) => frame.index === 0)?.elapsedMs ?? 0;
      const answeredAt = result.transcript.at(-1)?.elapsedMs ?? 0;
      expect(result.outcomes).toEqual([{ type: "response", id: "c1", ok: false, errorCode: "INVALID_REQUEST", detailsCode: "AUTH_TOKEN_MISMATCH" }]);
      return answeredAt - sentAt;
    };
    // A successful connect first resets both gateways' failure counters (so the delay is the base one).
    for (const url of [real.url, mock.url]) {
      const reset = await runFrameScript(url, [
        { kind: "connect", id: "c1", params: buildConnectParams({ scopes: ["operator.read"], auth: { token: TOKEN } }) },
        { kind: "expect-response", id: "c1" },
      ]);
      expect(reset.outcomes).toEqual([{ type: "response", id: "c1", ok: true }]);
    }
    const [realDelay, mockDelay] = [await answerDelay(real.url), await answerDelay(mock.url)];
    process.stderr.write(`[interop] wrong-token answer after ${realDelay} ms (real) / ${mockDelay} ms (mock)\n`);
    expect(realDelay).toBeGreaterThanOrEqual(240);
    expect(mockDelay).toBeGreaterThanOrEqual(240);
  });
});

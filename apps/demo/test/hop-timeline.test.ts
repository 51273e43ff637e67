import { describe, expect, it } from "vitest";
import type { TapConnection, TappedFrame } from "../src/frame-tap.js";
import { hopTimings } from "../src/hop-timeline.js";

function frame(conn: number, direction: "in" | "out", atMs: number, value: unknown): TappedFrame {
  return { conn, direction, atMs, text: JSON.stringify(value) };
}

/** One seed round as the two taps record it (times in ms on one clock). */
const gw1: TappedFrame[] = [
  frame(1, "in", 100, { type: "req", id: "op-1", method: "node.invoke", params: {} }),
  frame(2, "out", 101, { type: "event", event: "node.invoke.request", payload: { id: "inv-7", nodeId: "wn1" } }),
  // another node's result with a different id must not be taken for ours
  frame(3, "in", 150, { type: "req", id: "n-1", method: "node.invoke.result", params: { id: "inv-6", ok: true } }),
  frame(2, "in", 400, { type: "req", id: "n-2", method: "node.invoke.result", params: { id: "inv-7", ok: true } }),
  frame(1, "out", 402, { type: "res", id: "op-1", ok: true, payload: {} }),
];
const gw2Connections: TapConnection[] = [
  { conn: 1, path: "/", openedAtMs: 10 }, // WN2, long before
  { conn: 2, path: "/", openedAtMs: 300 }, // the CLI
];
const gw2: TappedFrame[] = [
  frame(2, "out", 301, { type: "event", event: "connect.challenge", payload: {} }),
  frame(2, "in", 302, { type: "req", id: "1", method: "connect", params: {} }),
  frame(2, "out", 305, { type: "res", id: "1", ok: true, payload: { type: "hello-ok" } }),
  frame(2, "in", 306, { type: "req", id: "2", method: "node.list", params: {} }),
  frame(2, "out", 307.5, { type: "res", id: "2", ok: true, payload: { nodes: [] } }),
];

describe("hopTimings", () => {
  it("splits a round into dispatch, start-up, handshake, RPC, return", () => {
    expect(hopTimings({ startedAtMs: 99, endedAtMs: 403 }, gw1, gw2, gw2Connections, "node.list")).toEqual({
      gw1RoundTripMs: 304,
      gw1DispatchMs: 1,
      wn1SpawnCliMs: 299,
      gw1ReturnMs: 3,
      cliStartMs: 199,
      gw2HandshakeMs: 5,
      dispatchToGw2Ms: 205,
      gw2RpcMs: 1.5,
      wn1ReturnMs: 92.5,
    });
  });

  it("through a relay (no new GW2 connection) reports dispatch → GW2 instead of start-up and handshake", () => {
    const hops = hopTimings({ startedAtMs: 99, endedAtMs: 403 }, gw1, gw2.slice(3), gw2Connections.slice(0, 1), "node.list");
    expect(hops.cliStartMs).toBeUndefined();
    expect(hops.gw2HandshakeMs).toBeUndefined();
    expect(hops).toMatchObject({ dispatchToGw2Ms: 205, gw2RpcMs: 1.5 });
  });

  it("a denied run (no node.invoke.request) has only the round trip", () => {
    expect(hopTimings({ startedAtMs: 99, endedAtMs: 120 }, gw1.slice(0, 1), [], [], "node.list")).toEqual({ gw1RoundTripMs: 21 });
  });
});

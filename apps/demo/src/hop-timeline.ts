import type { TapConnection, TappedFrame } from "./frame-tap.js";

/**
 * Where the time of one seed round went, in ms, read off the two gateways' taps. Every
 * span is measured at a gateway's edge except `gw1RoundTripMs` (the operator's clock).
 * A field is absent when its frames were not seen (e.g. no new GW2 connection: a relay
 * reuses its pooled upstream link).
 */
export interface HopTimings {
  /** Operator: `node.invoke` sent → answer received. */
  readonly gw1RoundTripMs: number;
  /** GW1: operator's `node.invoke` in → `node.invoke.request` out to WN1. */
  readonly gw1DispatchMs?: number | undefined;
  /** GW1: `node.invoke.request` out → WN1's `node.invoke.result` in (spawn, CLI, GW2, exit). */
  readonly wn1SpawnCliMs?: number | undefined;
  /** `node.invoke.request` out at GW1 → the CLI's connection upgraded at GW2 (process start-up). */
  readonly cliStartMs?: number | undefined;
  /** `node.invoke.request` out at GW1 → the method's request in at GW2 (start-up, connect, any relay hop). */
  readonly dispatchToGw2Ms?: number | undefined;
  /** GW2: upgrade → `hello-ok` out (challenge, connect, auth). */
  readonly gw2HandshakeMs?: number | undefined;
  /** GW2: the method's request in → its response out. */
  readonly gw2RpcMs?: number | undefined;
  /** GW2's response out → WN1's `node.invoke.result` in at GW1 (output, exit, report). */
  readonly wn1ReturnMs?: number | undefined;
  /** WN1's `node.invoke.result` in → GW1's response out to the operator. */
  readonly gw1ReturnMs?: number | undefined;
}

/** The measured window of one `node.invoke` (operator clock, `performance.now()`). */
export interface InvokeWindow {
  readonly startedAtMs: number;
  readonly endedAtMs: number;
}

type Frame = Record<string, unknown>;

function parse(frame: TappedFrame): Frame | undefined {
  try {
    const value = JSON.parse(frame.text) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Frame) : undefined;
  } catch {
    return undefined;
  }
}

function within(frame: { atMs: number }, from: number, to: number): boolean {
  return frame.atMs >= from && frame.atMs <= to;
}

function round(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 10) / 10;
}

/** The response frame (`out`) on `conn` answering request `id`, if seen. */
function responseTo(frames: readonly TappedFrame[], conn: number, id: unknown): TappedFrame | undefined {
  return frames.find((frame) => {
    if (frame.conn !== conn || frame.direction !== "out") return false;
    const parsed = parse(frame);
    return parsed?.["type"] === "res" && parsed["id"] === id;
  });
}

/**
 * Splits one `node.invoke system.run` round into hops (see {@link HopTimings}). Frames are
 * matched by time window and ids: the first `node.invoke.request` GW1 sent after the
 * operator's request, WN1's result with the same id, then at GW2 the first `method`
 * request (and any new connection) inside that span. Flows must not overlap.
 *
 * @param method - the gateway method the CLI called on GW2 (e.g. `node.list`)
 */
export function hopTimings(
  window: InvokeWindow,
  gw1Frames: readonly TappedFrame[],
  gw2Frames: readonly TappedFrame[],
  gw2Connections: readonly TapConnection[],
  method: string,
): HopTimings {
  const timings: { -readonly [K in keyof HopTimings]: HopTimings[K] } = { gw1RoundTripMs: round(window.endedAtMs - window.startedAtMs) as number };
  const inGw1 = gw1Frames.filter((frame) => within(frame, window.startedAtMs, window.endedAtMs));
  const operatorRequest = inGw1.find((frame) => frame.direction === "in" && parse(frame)?.["method"] === "node.invoke");
  const dispatch = inGw1.find((frame) => frame.direction === "out" && parse(frame)?.["event"] === "node.invoke.request");
  if (dispatch === undefined) return timings;
  const invokeId = (parse(dispatch)?.["payload"] as Frame | undefined)?.["id"];
  const result = inGw1.find((frame) => {
    const parsed = parse(frame);
    return frame.direction === "in" && parsed?.["method"] === "node.invoke.result" && (parsed["params"] as Frame | undefined)?.["id"] === invokeId;
  });
  if (operatorRequest !== undefined) timings.gw1DispatchMs = round(dispatch.atMs - operatorRequest.atMs);
  if (result === undefined) return timings;
  timings.wn1SpawnCliMs = round(result.atMs - dispatch.atMs);
  timings.gw1ReturnMs = round(window.endedAtMs - result.atMs);

  const newConnection = gw2Connections.find((connection) => connection.openedAtMs >= dispatch.atMs && connection.openedAtMs <= result.atMs);
  if (newConnection !== undefined) {
    timings.cliStartMs = round(newConnection.openedAtMs - dispatch.atMs);
    const connect = gw2Frames.find((frame) => frame.conn === newConnection.conn && frame.direction === "in" && parse(frame)?.["method"] === "connect");
    const hello = connect === undefined ? undefined : responseTo(gw2Frames, newConnection.conn, parse(connect)?.["id"]);
    if (hello !== undefined) timings.gw2HandshakeMs = round(hello.atMs - newConnection.openedAtMs);
  }
  const rpc = gw2Frames.find((frame) => frame.direction === "in" && within(frame, dispatch.atMs, result.atMs) && parse(frame)?.["method"] === method);
  const answer = rpc === undefined ? undefined : responseTo(gw2Frames, rpc.conn, parse(rpc)?.["id"]);
  if (rpc !== undefined) timings.dispatchToGw2Ms = round(rpc.atMs - dispatch.atMs);
  if (rpc !== undefined && answer !== undefined) {
    timings.gw2RpcMs = round(answer.atMs - rpc.atMs);
    timings.wn1ReturnMs = round(result.atMs - answer.atMs);
  }
  return timings;
}

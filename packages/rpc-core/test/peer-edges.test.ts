import { describe, expect, it, vi } from "vitest";
import {
  ConnectionClosedError,
  GatewayRequestError,
  Peer,
  Router,
  TypedEmitter,
  createInMemoryTransportPair,
  createRequestIdGenerator,
} from "../src/index.js";
import { ManualTransport } from "./harness.js";

function lastRequestId(transport: ManualTransport): string {
  const frame = transport.sentFrames().at(-1);
  return frame?.id as string;
}

describe("Peer edge cases", () => {
  it("numbers ids <n>:<uuid> from 1 with an injectable uuid source", async () => {
    const transport = new ManualTransport();
    const peer = new Peer(transport, { createRequestId: createRequestIdGenerator(() => "u") });
    void peer.request("a").catch(() => undefined);
    void peer.request("b", { x: 1 }, { traceparent: "00-abc-def-01", expectedProfileId: "p1" }).catch(() => undefined);
    expect(transport.sentFrames()).toEqual([
      { type: "req", id: "1:u", method: "a" },
      { type: "req", id: "2:u", method: "b", params: { x: 1 }, traceparent: "00-abc-def-01", expectedProfileId: "p1" },
    ]);
    peer.close();
  });

  it("rejects without sending when the id generator repeats a pending id, or params cannot be serialised", async () => {
    const transport = new ManualTransport();
    const peer = new Peer(transport, { createRequestId: () => "same" });
    void peer.request("a").catch(() => undefined);
    await expect(peer.request("b")).rejects.toThrow("repeated a pending id");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const other = new Peer(new ManualTransport());
    await expect(other.request("c", cyclic)).rejects.toBeInstanceOf(TypeError);
    await expect(other.request("c", {}, { timeoutMs: -5 })).rejects.toBeInstanceOf(RangeError);
    expect(transport.sent).toHaveLength(1);
    expect(other.pendingCount).toBe(0);
    peer.close();
  });

  it("treats ok:false without an error as a GatewayRequestError", async () => {
    const transport = new ManualTransport();
    const peer = new Peer(transport);
    const pending = peer.request("m");
    transport.inject(JSON.stringify({ type: "res", id: lastRequestId(transport), ok: false }));
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayRequestError);
    expect(error).toMatchObject({ code: "UNKNOWN", method: "m" });
  });

  it("ignores a second accepted frame and isolates a throwing onAccepted", async () => {
    const transport = new ManualTransport();
    const onListenerError = vi.fn();
    const peer = new Peer(transport, { onListenerError });
    const onAccepted = vi.fn(() => {
      throw new Error("listener bug");
    });
    const pending = peer.request("agent", {}, { expectFinal: true, onAccepted });
    const id = lastRequestId(transport);
    transport.inject(JSON.stringify({ type: "res", id, ok: true, payload: { status: "accepted", runId: "r" } }));
    transport.inject(JSON.stringify({ type: "res", id, ok: true, payload: { status: "accepted", runId: "r" } }));
    expect(peer.pendingCount).toBe(1);
    transport.inject(JSON.stringify({ type: "res", id, ok: true, payload: { status: "ok", runId: "r" } }));
    await expect(pending).resolves.toEqual({ status: "ok", runId: "r" });
    expect(onAccepted).toHaveBeenCalledTimes(1);
    expect(onListenerError).toHaveBeenCalledWith(expect.objectContaining({ message: "listener bug" }), "accepted");
  });

  it("keeps delivering to other listeners when one throws", () => {
    const transport = new ManualTransport();
    const onListenerError = vi.fn();
    const peer = new Peer(transport, { onListenerError });
    const good = vi.fn();
    peer.onEvent(() => {
      throw new Error("bad listener");
    });
    peer.onEvent(good);
    transport.inject('{"type":"event","event":"tick","payload":{"ts":1}}');
    expect(good).toHaveBeenCalledTimes(1);
    expect(onListenerError).toHaveBeenCalledWith(expect.any(Error), "event");
  });

  it("answers UNAVAILABLE when a handler's payload cannot be serialised", async () => {
    const transport = new ManualTransport();
    const router = new Router();
    router.register("big", () => ({ n: 10n }));
    new Peer(transport, { router });
    transport.inject('{"type":"req","id":"q1","method":"big"}');
    await vi.waitFor(() => expect(transport.sent).toHaveLength(1));
    expect(transport.sentFrames()[0]).toEqual({
      type: "res",
      id: "q1",
      ok: false,
      error: { code: "UNAVAILABLE", message: "response serialization failed" },
    });
  });

  it("does not consume a seq for an event that cannot be serialised", () => {
    const transport = new ManualTransport();
    const peer = new Peer(transport);
    expect(() => peer.sendEvent("x", { n: 1n }, { seq: true })).toThrow(TypeError);
    expect(peer.sendEvent("x", {}, { seq: true })).toEqual({ sent: true, seq: 1 });
  });

  it("starts closed over a transport that is already closed", async () => {
    const [a, b] = createInMemoryTransportPair();
    a.close(1001, "going away");
    await new Promise<void>((resolve) => setImmediate(resolve));
    const peer = new Peer(b);
    expect(peer.state).toBe("closed");
    expect(peer.closeInfo).toEqual({ code: 1001, reason: "going away", initiator: "remote" });
    await expect(peer.request("x")).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it("reports a request's close as not sent when the transport refuses the write", async () => {
    const transport = new ManualTransport();
    const peer = new Peer(transport);
    vi.spyOn(transport, "send").mockImplementation(() => {
      throw new ConnectionClosedError(1006, "");
    });
    await expect(peer.request("x")).rejects.toMatchObject({ name: "ConnectionClosedError", requestSent: false });
    expect(peer.pendingCount).toBe(0);
  });
});

describe("TypedEmitter", () => {
  it("supports unsubscribing during emit and counts listeners", () => {
    const emitter = new TypedEmitter<{ ping: number }>();
    const seen: string[] = [];
    const offA = emitter.on("ping", (n) => {
      seen.push(`a${n}`);
      offA();
    });
    emitter.on("ping", (n) => seen.push(`b${n}`));
    emitter.emit("ping", 1);
    emitter.emit("ping", 2);
    expect(seen).toEqual(["a1", "b1", "b2"]);
    expect(emitter.listenerCount("ping")).toBe(1);
    offA();
    emitter.clear();
    expect(emitter.listenerCount("ping")).toBe(0);
  });
});

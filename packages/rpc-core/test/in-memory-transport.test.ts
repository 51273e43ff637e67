import { describe, expect, it, vi } from "vitest";
import { ConnectionClosedError, createInMemoryTransportPair } from "../src/index.js";
import { collect, next } from "./harness.js";

describe("createInMemoryTransportPair", () => {
  it("delivers asynchronously and in order, in both directions", async () => {
    const [a, b] = createInMemoryTransportPair();
    const atB = collect<string>(b.onMessage.bind(b));
    const atA = collect<string>(a.onMessage.bind(a));
    a.send("one");
    a.send("two");
    b.send("back");
    expect(atB).toEqual([]);
    expect(a.bufferedAmount).toBe(6);
    await Promise.resolve();
    await Promise.resolve();
    expect(atB).toEqual(["one", "two"]);
    expect(atA).toEqual(["back"]);
    expect(a.bufferedAmount).toBe(0);
  });

  it("buffers messages until the first listener subscribes", async () => {
    const [a, b] = createInMemoryTransportPair();
    a.send("early-1");
    a.send("early-2");
    await new Promise<void>((resolve) => setImmediate(resolve));
    const seen = collect<string>(b.onMessage.bind(b));
    a.send("late");
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(seen).toEqual(["early-1", "early-2", "late"]);
  });

  it("closes both ends with the same code and reason, after messages already sent", async () => {
    const [a, b] = createInMemoryTransportPair();
    const order: string[] = [];
    b.onMessage((text) => order.push(`msg:${text}`));
    b.onClose((info) => order.push(`close:${info.code}:${info.reason}`));
    const closedA = next(a.onClose.bind(a));
    a.send("last words");
    a.close(4001, "gateway auth changed");
    expect(a.isOpen).toBe(false);
    expect(b.isOpen).toBe(false);
    await expect(closedA).resolves.toEqual({ code: 4001, reason: "gateway auth changed" });
    expect(order).toEqual(["msg:last words", "close:4001:gateway auth changed"]);
  });

  it("reports 1005 without a code, 1006 on terminate, and truncates reasons to 123 bytes", async () => {
    const [a, b] = createInMemoryTransportPair();
    a.close();
    await expect(next(b.onClose.bind(b))).resolves.toEqual({ code: 1005, reason: "" });

    const [c, d] = createInMemoryTransportPair();
    c.terminate();
    await expect(next(d.onClose.bind(d))).resolves.toEqual({ code: 1006, reason: "" });

    const [e, f] = createInMemoryTransportPair();
    e.close(1008, "é".repeat(100));
    const info = await next(f.onClose.bind(f));
    expect(Buffer.byteLength(info.reason)).toBeLessThanOrEqual(123);
    expect(info.reason).toBe("é".repeat(61));
  });

  it("throws a typed ConnectionClosedError when sending on a closed transport", async () => {
    const [a, b] = createInMemoryTransportPair();
    b.close(1012, "service restart");
    expect(() => a.send("x")).toThrow(ConnectionClosedError);
    await next(a.onClose.bind(a));
    expect(() => a.send("x")).toThrow(expect.objectContaining({ code: 1012, reason: "service restart" }));
  });

  it("fires close once, and replays it to late subscribers", async () => {
    const [a, b] = createInMemoryTransportPair();
    const early = vi.fn();
    b.onClose(early);
    a.close(1000, "done");
    a.close(1001, "again");
    await new Promise<void>((resolve) => setImmediate(resolve));
    const late = await next(b.onClose.bind(b));
    expect(early).toHaveBeenCalledTimes(1);
    expect(late).toEqual({ code: 1000, reason: "done" });
  });
});

import { describe, expect, it } from "vitest";
import { InterruptedError, interruptedFailure, watchInterrupts } from "../src/index.js";

describe("watchInterrupts", () => {
  it("turns SIGTERM into an abort and, if the body does not settle, an InterruptedError after the grace period", async () => {
    const before = process.listenerCount("SIGTERM");
    const watch = watchInterrupts();
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    try {
      const body = new Promise<string>(() => undefined);
      const raced = watch.race(body);
      process.emit("SIGTERM", "SIGTERM");
      expect(watch.signal.aborted).toBe(true);
      expect(watch.received).toBe("SIGTERM");
      await expect(raced).rejects.toBeInstanceOf(InterruptedError);
    } finally {
      watch.dispose();
    }
    expect(process.listenerCount("SIGTERM")).toBe(before);
  });

  it("lets a body that settles after the signal report itself, and keeps its requestSent", async () => {
    const watch = watchInterrupts();
    try {
      const raced = watch.race(Promise.reject(Object.assign(new Error("aborted"), { requestSent: true })));
      process.emit("SIGINT", "SIGINT");
      const error = await raced.catch((caught: unknown) => caught);
      const failure = interruptedFailure(watch.received ?? "SIGINT", error);
      expect(failure).toBeInstanceOf(InterruptedError);
      expect(failure.requestSent).toBe(true);
    } finally {
      watch.dispose();
    }
  });
});

import { CloseCodes, ErrorCodes, Methods, missingScopeError } from "@clawbridge/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as z from "zod";
import {
  ConnectionClosedError,
  GatewayRequestError,
  ProtocolViolationError,
  RequestAbortedError,
  RequestTimeoutError,
  Router,
  gatewayError,
} from "../src/index.js";
import type { TestCtx } from "./harness.js";
import { TRANSPORTS, collect, next, settle } from "./harness.js";
import type { Harness, HarnessOptions } from "./harness.js";

/** A router with the methods the tests call. */
function testRouter(): Router<TestCtx> {
  const router = new Router<TestCtx>({
    authorize: (method, _params, ctx) => {
      if (method === "admin.only" && !ctx.scopes.includes("operator.admin")) {
        return missingScopeError("operator.admin", ["operator.admin"]);
      }
      return undefined;
    },
  });
  router.register("echo", ({ params }) => params);
  router.register("whoami", ({ ctx, id, method }) => ({ connId: ctx.connId, id, method }));
  router.register("never", () => new Promise<never>(() => undefined));
  router.register("slow", async ({ params }) => {
    const { order } = params as { order: number };
    // Later `order` answers first: reverse the completion order of a batch.
    for (let i = 0; i < 10 - order; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
    return { order };
  });
  router.register("boom", () => {
    throw new Error("disk on fire");
  });
  router.register("refuse", () => {
    throw gatewayError(ErrorCodes.UNAVAILABLE, "busy", { reason: "queue-full" }, { retryable: true, retryAfterMs: 250 });
  });
  router.register("admin.only", () => ({ ok: true }));
  router.register("agent", ({ params, accept }) => {
    const { idempotencyKey } = params as { idempotencyKey: string };
    accept({ runId: idempotencyKey, acceptedAt: 1 });
    return new Promise((resolve) =>
      setImmediate(() => resolve({ runId: idempotencyKey, status: "ok", summary: "completed", result: 42 })),
    );
  });
  router.register("typed", ({ params }) => ({ doubled: params.n * 2 }), {
    paramsSchema: z.strictObject({ n: z.int(), idempotencyKey: z.string().min(1) }),
  });
  router.register(Methods.NodeDescribe, ({ params }) => ({
    ts: 1,
    nodeId: params.nodeId,
    caps: [],
    commands: [],
    paired: true,
    connected: true,
  }));
  return router;
}

describe.each(TRANSPORTS)("Peer over %s", (_name, makeHarness) => {
  let harness: Harness | undefined;

  async function open(options: HarnessOptions = {}): Promise<Harness> {
    harness = await makeHarness({ ...options, server: { router: testRouter(), ...options.server } });
    return harness;
  }

  afterEach(async () => {
    vi.useRealTimers();
    await harness?.dispose();
    harness = undefined;
  });

  it("answers a request with its payload and uses <n>:<uuid> ids counting from 1", async () => {
    const { client } = await open();
    await expect(client.request("echo", { a: 1 })).resolves.toEqual({ a: 1 });
    const who = await client.request<{ connId: string; id: string; method: string }>("whoami");
    expect(who.connId).toBe("c1");
    expect(who.method).toBe("whoami");
    expect(who.id).toMatch(/^2:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(client.pendingCount).toBe(0);
  });

  it("types requests and handlers through protocol method definitions", async () => {
    const { client } = await open();
    const entry = await client.request(Methods.NodeDescribe, { nodeId: "n1" });
    expect(entry.nodeId).toBe("n1");
    await expect(client.request(Methods.NodeDescribe, { nodeId: "" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: "invalid node.describe params: at /nodeId: must not have fewer than 1 characters",
    });
  });

  it("rejects with RequestTimeoutError (requestSent true) when no answer comes in time", async () => {
    const { client } = await open();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const pending = client.request("never", {}, { timeoutMs: 5_000 });
    const assertion = expect(pending).rejects.toSatisfy((error: unknown) => {
      expect(error).toBeInstanceOf(RequestTimeoutError);
      expect(error).toMatchObject({ method: "never", timeoutMs: 5_000, requestSent: true, kind: "timeout" });
      expect((error as Error).message).toContain("request was sent");
      return true;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(client.pendingCount).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await assertion;
    expect(client.pendingCount).toBe(0);
  });

  it("applies the peer default of 30000 ms, and no deadline for null or expectFinal", async () => {
    const { client } = await open();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const bounded = client.request("never");
    const unbounded = client.request("never", {}, { timeoutMs: null });
    const final = client.request("never", {}, { expectFinal: true });
    const boundedResult = expect(bounded).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(client.unboundedPendingCount).toBe(2);
    await vi.advanceTimersByTimeAsync(30_000);
    await boundedResult;
    await vi.advanceTimersByTimeAsync(10 * 86_400_000);
    expect(client.pendingCount).toBe(2);
    client.close();
    await expect(unbounded).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(final).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it("rejects an already-aborted signal without sending anything", async () => {
    const { client, server } = await open();
    const seen = vi.fn();
    server.transport.onMessage(seen);
    const controller = new AbortController();
    controller.abort(new Error("user cancelled"));
    const error = await client.request("echo", {}, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(error).toMatchObject({ method: "echo", requestSent: false });
    expect((error as Error).cause).toBe(controller.signal.reason);
    await client.request("echo", 1);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it("rejects with RequestAbortedError (requestSent true) when aborted after sending", async () => {
    const { client } = await open();
    const controller = new AbortController();
    const pending = client.request("never", {}, { signal: controller.signal });
    await settle();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "RequestAbortedError", requestSent: true });
    expect(client.pendingCount).toBe(0);
    // A late abort after settling is harmless.
    await expect(client.request("echo", 2, { signal: controller.signal })).rejects.toBeInstanceOf(RequestAbortedError);
  });

  it("rejects every pending request with the remote's close code and reason, never replaying", async () => {
    const { client, server } = await open();
    const closes = collect(client.onClose.bind(client));
    const pending = [client.request("never"), client.request("never", {}, { expectFinal: true }), client.request("never")];
    await settle();
    server.close(CloseCodes.AUTH_CHANGED, "gateway auth changed");
    const errors = await Promise.all(pending.map((p) => p.catch((e: unknown) => e)));
    for (const error of errors) {
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ code: 4001, reason: "gateway auth changed", method: "never", requestSent: true });
    }
    expect(closes).toEqual([{ code: 4001, reason: "gateway auth changed", initiator: "remote" }]);
    expect(client.state).toBe("closed");
    await expect(client.request("echo")).rejects.toMatchObject({ code: 4001, requestSent: false });
  });

  it("rejects pending requests on a local close with the local code and reason", async () => {
    const { client, server } = await open();
    const serverClosed = next(server.onClose.bind(server));
    const states = collect(client.onStateChange.bind(client));
    const pending = client.request("never");
    client.close(CloseCodes.TICK_TIMEOUT, "tick timeout");
    await expect(pending).rejects.toMatchObject({ code: 4000, reason: "tick timeout" });
    expect(client.closeInfo).toEqual({ code: 4000, reason: "tick timeout", initiator: "local" });
    expect(states).toEqual(["closed"]);
    await expect(serverClosed).resolves.toMatchObject({ code: 4000, reason: "tick timeout", initiator: "remote" });
    expect(() => client.sendEvent("x")).toThrow(ConnectionClosedError);
  });

  it("matches out-of-order replies to their requests", async () => {
    const { client } = await open();
    const order: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        client.request<{ order: number }>("slow", { order: i }).then((result) => {
          order.push(result.order);
          return result.order;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(order).not.toEqual(results);
  });

  it("expectFinal: fires onAccepted once and resolves with the final payload", async () => {
    const { client } = await open();
    const onAccepted = vi.fn();
    const final = await client.request("agent", { idempotencyKey: "a1" }, { expectFinal: true, onAccepted });
    expect(onAccepted).toHaveBeenCalledTimes(1);
    expect(onAccepted).toHaveBeenCalledWith({ runId: "a1", acceptedAt: 1, status: "accepted" });
    expect(final).toEqual({ runId: "a1", status: "ok", summary: "completed", result: 42 });
  });

  it("without expectFinal the accepted frame resolves, and the final one is an unknown response", async () => {
    const { client } = await open();
    const unknown = next(client.onUnknownResponse.bind(client));
    const first = await client.request("agent", { idempotencyKey: "a2" });
    expect(first).toEqual({ runId: "a2", acceptedAt: 1, status: "accepted" });
    await expect(unknown).resolves.toMatchObject({ ok: true, payload: { status: "ok", runId: "a2" } });
  });

  it("stamps per-connection seq on server events and reports inbound gaps without closing", async () => {
    const { client, server } = await open();
    const events = collect(client.onEvent.bind(client));
    const gaps = collect(client.onGap.bind(client));
    server.sendEvent("connect.challenge", { nonce: "n", ts: 1 });
    expect(server.sendEvent("tick", { ts: 1 }, { seq: true })).toEqual({ sent: true, seq: 1 });
    expect(server.sendEvent("tick", { ts: 2 }, { seq: true })).toEqual({ sent: true, seq: 2 });
    // Dropped as if the consumer were slow: consumes seq 3.
    expect(server.sendEvent("tick", { ts: 3 }, { seq: true, dropIfBufferedAbove: -1 })).toEqual({ sent: false, seq: 3 });
    server.sendEvent("health", { ok: true }, { seq: true, stateVersion: { presence: 1, health: 2 } });
    server.sendEvent("node.invoke.request", { id: "x" });
    await client.request("echo");
    expect(events.map((e) => [e.event, e.seq])).toEqual([
      ["connect.challenge", undefined],
      ["tick", 1],
      ["tick", 2],
      ["health", 4],
      ["node.invoke.request", undefined],
    ]);
    expect(events[3]).toEqual({
      type: "event",
      event: "health",
      payload: { ok: true },
      seq: 4,
      stateVersion: { presence: 1, health: 2 },
    });
    expect(gaps).toEqual([{ expected: 3, received: 4, event: "health" }]);
    expect(client.lastEventSeq).toBe(4);
    expect(client.isOpen).toBe(true);
  });

  it("reports responses with unknown ids and ignores them", async () => {
    const { client, serverTransport } = await open();
    const unknown = collect(client.onUnknownResponse.bind(client));
    serverTransport.send(JSON.stringify({ type: "res", id: "nobody", ok: true, payload: 1 }));
    await expect(client.request("echo", 7)).resolves.toBe(7);
    expect(unknown).toEqual([{ type: "res", id: "nobody", ok: true, payload: 1 }]);
  });

  it("answers router errors: unknown method, invalid params, authorize denial, handler throw", async () => {
    const { client } = await open();
    const failure = (method: string, params?: unknown) =>
      client.request(method, params).then(
        () => undefined,
        (error: unknown) => error as GatewayRequestError,
      );

    const unknown = await failure("nope.nothing");
    expect(unknown).toBeInstanceOf(GatewayRequestError);
    expect(unknown?.toErrorShape()).toEqual({ code: "INVALID_REQUEST", message: "unknown method: nope.nothing" });
    expect(unknown?.method).toBe("nope.nothing");

    expect((await failure("typed", { n: 1, idempotencyKey: "k", bogus: true }))?.message).toBe(
      "invalid typed params: at root: unexpected property 'bogus'",
    );
    expect((await failure("typed", { n: 1 }))?.message).toBe(
      "invalid typed params: must have required property 'idempotencyKey'",
    );
    await expect(client.request("typed", { n: 21, idempotencyKey: "k" })).resolves.toEqual({ doubled: 42 });

    expect((await failure("admin.only"))?.toErrorShape()).toEqual({
      code: "FORBIDDEN",
      message: "missing scope: operator.admin",
      details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] },
    });

    expect((await failure("boom"))?.toErrorShape()).toEqual({ code: "UNAVAILABLE", message: "disk on fire" });

    const refused = await failure("refuse");
    expect(refused).toMatchObject({ code: "UNAVAILABLE", message: "busy", retryable: true, retryAfterMs: 250 });
    expect(refused?.details).toEqual({ reason: "queue-full" });
  });

  it("resolves 10 000 concurrent in-flight requests, each with its own answer", async () => {
    const { client } = await open();
    const count = 10_000;
    const results = await Promise.all(
      Array.from({ length: count }, (_, n) => client.request<{ n: number }>("echo", { n })),
    );
    expect(results.length).toBe(count);
    results.forEach((result, n) => expect(result.n).toBe(n));
    expect(client.pendingCount).toBe(0);
  });

  describe("bad input", () => {
    const BAD: [string, string, ProtocolViolationError["violation"], string?][] = [
      ["malformed JSON", '{"type":"req",', "malformed-json"],
      ["an array", "[]", "not-an-object"],
      ["a number", "42", "not-an-object"],
      ["a string", '"str"', "not-an-object"],
      ["null", "null", "not-an-object"],
      ["an unknown type", '{"type":"rpc","id":"u1"}', "unknown-frame-type", "u1"],
      ["a missing type", '{"id":"t1","method":"echo"}', "unknown-frame-type", "t1"],
      ["a missing id", '{"type":"req","method":"echo"}', "invalid-frame"],
      ["an empty id", '{"type":"req","id":"","method":"echo"}', "invalid-frame"],
      ["an extra top-level key", '{"type":"req","id":"x1","method":"echo","bogus":1}', "invalid-frame", "x1"],
      ["a bad response", '{"type":"res","id":"r1","ok":"yes"}', "invalid-frame", "r1"],
      ["a bad event seq", '{"type":"event","event":"tick","seq":-1}', "invalid-frame"],
      ["oversize text", `{"type":"req","id":"big","method":"echo","params":"${"x".repeat(2_000)}"}`, "oversize"],
    ];

    it.each(BAD)("server answers %s with INVALID_REQUEST and keeps serving", async (_label, text, violation, id) => {
      const { client, server, clientTransport } = await open({
        server: { answerInvalidFrames: true, maxInboundBytes: 1_024 },
      });
      const errors = collect(server.onProtocolError.bind(server));
      const answers = collect(client.onUnknownResponse.bind(client));
      clientTransport.send(text);
      await expect(client.request("echo", "still here")).resolves.toBe("still here");
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(ProtocolViolationError);
      expect(errors[0]?.violation).toBe(violation);
      expect(answers).toHaveLength(1);
      expect(answers[0]).toMatchObject({ type: "res", id: id ?? "invalid", ok: false, error: { code: "INVALID_REQUEST" } });
      expect(answers[0]?.error?.message).toMatch(/^invalid request frame: .+/);
      expect(server.isOpen).toBe(true);
    });

    it.each(BAD)("client reports %s and keeps working", async (_label, text, violation) => {
      const { client, serverTransport } = await open({ client: { maxInboundBytes: 1_024 } });
      const errors = collect(client.onProtocolError.bind(client));
      serverTransport.send(text);
      await expect(client.request("echo", 1)).resolves.toBe(1);
      expect(errors.map((e) => e.violation)).toEqual([violation]);
      expect(client.isOpen).toBe(true);
    });

    it("names the exact problem in the INVALID_REQUEST message", async () => {
      const { client, clientTransport } = await open({ server: { answerInvalidFrames: true } });
      const answers = collect(client.onUnknownResponse.bind(client));
      clientTransport.send('{"type":"req","method":"echo"}');
      clientTransport.send('{"type":"req","id":"e1","method":"echo","bogus":1}');
      clientTransport.send('{"type":"req","id":"e2","method":""}');
      await client.request("echo");
      expect(answers.map((a) => a.error?.message)).toEqual([
        "invalid request frame: must have required property 'id'",
        "invalid request frame: at root: unexpected property 'bogus'",
        "invalid request frame: at /method: must not have fewer than 1 characters",
      ]);
      expect(answers.map((a) => a.id)).toEqual(["invalid", "e1", "e2"]);
    });

    it("fails a pending request at once when its response is malformed", async () => {
      const { client, server } = await open({ server: { router: new Router() } });
      // The server answers nothing itself; the test writes a broken answer for the client's id.
      const seen = next<string>((listener) => server.transport.onMessage(listener));
      const pending = client.request("anything");
      const { id } = JSON.parse(await seen) as { id: string };
      server.transport.send(JSON.stringify({ type: "res", id, ok: true, extra: 1 }));
      await expect(pending).rejects.toMatchObject({ name: "ProtocolViolationError", violation: "invalid-frame", frameId: id });
    });

    it("tolerant validation accepts unknown envelope keys from newer gateways", async () => {
      const { client, serverTransport } = await open({ client: { frameValidation: "tolerant" } });
      const events = collect(client.onEvent.bind(client));
      const errors = collect(client.onProtocolError.bind(client));
      serverTransport.send('{"type":"event","event":"tick","payload":{"ts":1},"seq":1,"futureKey":true}');
      await client.request("echo");
      expect(errors).toEqual([]);
      expect(events).toEqual([{ type: "event", event: "tick", payload: { ts: 1 }, seq: 1 }]);
    });
  });

  it("never writes a response after the connection closed", async () => {
    let release: (() => void) | undefined;
    const router = new Router<TestCtx>();
    let signalAborted = false;
    router.register("hold", ({ signal }) => {
      signal.addEventListener("abort", () => {
        signalAborted = true;
      });
      return new Promise((resolve) => {
        release = () => resolve("late");
      });
    });
    const { client, server } = await open({ server: { router } });
    const send = vi.spyOn(server.transport, "send");
    const pending = client.request("hold").catch((e: unknown) => e);
    await vi.waitFor(() => expect(release).toBeDefined());
    client.close(CloseCodes.NORMAL, "bye");
    await next(server.onClose.bind(server));
    expect(signalAborted).toBe(true);
    release?.();
    await settle();
    expect(send).not.toHaveBeenCalled();
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
  });
});

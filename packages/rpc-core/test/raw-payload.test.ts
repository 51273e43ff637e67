import { describe, expect, it, vi } from "vitest";
import { GatewayRequestError, Peer, ProtocolViolationError, RawJson, Router } from "../src/index.js";
import { ManualTransport, TRANSPORTS, settle } from "./harness.js";
import type { TestCtx } from "./harness.js";

/** A client peer on a transport the test answers by hand; returns the id of the request it wrote last. */
function manualClient(options: ConstructorParameters<typeof Peer>[1] = {}) {
  const transport = new ManualTransport();
  const peer = new Peer(transport, options);
  const lastId = (): string => String(transport.sentFrames().at(-1)?.["id"]);
  return { transport, peer, lastId };
}

const PAYLOAD = { ts: 1, nodes: [{ nodeId: "n1", displayName: "wn \"one\" ü", commands: ["system.run"] }] };

describe("rawPayload: answers forwarded unread", () => {
  it("resolves with a RawJson of exactly the payload text the answer carried", async () => {
    const { transport, peer, lastId } = manualClient();
    const call = peer.request("node.list", {}, { rawPayload: true });
    const payloadText = JSON.stringify(PAYLOAD);
    transport.inject(`{"type":"res","id":"${lastId()}","ok":true,"payload":${payloadText}}`);
    const result = await call;
    expect(result).toBeInstanceOf(RawJson);
    expect((result as RawJson).text).toBe(payloadText);
    expect(JSON.parse((result as RawJson).text)).toEqual(PAYLOAD);
  });

  it.each([
    ["whitespace in the envelope", (id: string) => `{"type": "res", "id": "${id}", "ok": true, "payload": ${JSON.stringify(PAYLOAD)}}`],
    ["another key order", (id: string) => `{"id":"${id}","type":"res","ok":true,"payload":${JSON.stringify(PAYLOAD)}}`],
    ["the payload before ok", (id: string) => `{"type":"res","id":"${id}","payload":${JSON.stringify(PAYLOAD)},"ok":true}`],
    ["trailing whitespace", (id: string) => `{"type":"res","id":"${id}","ok":true,"payload":${JSON.stringify(PAYLOAD)}}\n`],
  ])("decodes as usual and resolves the parsed payload for %s", async (_name, answer) => {
    const { transport, peer, lastId } = manualClient();
    const call = peer.request("node.list", {}, { rawPayload: true });
    transport.inject(answer(lastId()));
    const result = await call;
    expect(result).not.toBeInstanceOf(RawJson);
    expect(result).toEqual(PAYLOAD);
  });

  it("still rejects an error answer with GatewayRequestError", async () => {
    const { transport, peer, lastId } = manualClient();
    const call = peer.request("node.list", {}, { rawPayload: true });
    transport.inject(`{"type":"res","id":"${lastId()}","ok":false,"error":{"code":"UNAVAILABLE","message":"busy"}}`);
    await expect(call).rejects.toMatchObject({ name: GatewayRequestError.name, code: "UNAVAILABLE", message: "busy" });
  });

  it("tells an accepted acknowledgement apart from the final answer (expectFinal)", async () => {
    const { transport, peer, lastId } = manualClient();
    const onAccepted = vi.fn();
    const call = peer.request("agent", { idempotencyKey: "k" }, { rawPayload: true, expectFinal: true, onAccepted });
    const id = lastId();
    transport.inject(`{"type":"res","id":"${id}","ok":true,"payload":{"runId":"k","status":"accepted"}}`);
    expect(onAccepted).toHaveBeenCalledWith({ runId: "k", status: "accepted" });
    transport.inject(`{"type":"res","id":"${id}","ok":true,"payload":{"runId":"k","status":"ok","result":42}}`);
    const result = await call;
    expect(result).toBeInstanceOf(RawJson);
    expect((result as RawJson).text).toBe('{"runId":"k","status":"ok","result":42}');
  });

  it("reports an oversize answer as a violation, as a parsed one would be, and never delivers it", async () => {
    const { transport, peer, lastId } = manualClient({ maxInboundBytes: 64 });
    const violations: ProtocolViolationError[] = [];
    peer.onProtocolError((error) => violations.push(error));
    const call = peer.request("node.list", {}, { rawPayload: true });
    const outcome = call.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    transport.inject(`{"type":"res","id":"${lastId()}","ok":true,"payload":${JSON.stringify(PAYLOAD)}}`);
    await settle();
    expect(violations.map((error) => error.violation)).toEqual(["oversize"]);
    expect(peer.pendingCount).toBe(1);
    peer.close();
    expect(await outcome).toMatchObject({ error: { name: "ConnectionClosedError" } });
  });

  it("leaves ids with escapes to the decoder, so an answer never settles another request", async () => {
    // A custom generator's ids: `a\` and `a\\`. The answer to the first carries `"a\\"` on the wire.
    const ids = ["a\\", "a\\\\"];
    const { transport, peer } = manualClient({ createRequestId: () => ids.shift() ?? "spare" });
    const first = peer.request("node.list", {}, { rawPayload: true });
    const second = peer.request("node.list", {}, { rawPayload: true });
    transport.inject(`{"type":"res","id":${JSON.stringify("a\\")},"ok":true,"payload":{"n":1}}`);
    expect(await first).toEqual({ n: 1 });
    expect(peer.pendingCount).toBe(1);
    transport.inject(`{"type":"res","id":${JSON.stringify("a\\\\")},"ok":true,"payload":{"n":2}}`);
    expect(await second).toEqual({ n: 2 });
  });

  it("parses answers of requests made without rawPayload while raw ones are pending", async () => {
    const { transport, peer, lastId } = manualClient();
    const raw = peer.request("node.list", {}, { rawPayload: true });
    const rawId = lastId();
    const plain = peer.request("node.list", {});
    transport.inject(`{"type":"res","id":"${lastId()}","ok":true,"payload":${JSON.stringify(PAYLOAD)}}`);
    expect(await plain).toEqual(PAYLOAD);
    transport.inject(`{"type":"res","id":"${rawId}","ok":true,"payload":{}}`);
    expect(await raw).toEqual(new RawJson("{}"));
  });

  it("writes a RawJson a handler returns verbatim after the new id", () => {
    const transport = new ManualTransport();
    const router = new Router();
    router.register("node.list", () => new RawJson('{"nodes":[],"extra":"kept as sent"}'));
    new Peer(transport, { router });
    transport.inject('{"type":"req","id":"client \\"7\\"","method":"node.list","params":{}}');
    return settle().then(() => {
      expect(transport.sent).toEqual(['{"type":"res","id":"client \\"7\\"","ok":true,"payload":{"nodes":[],"extra":"kept as sent"}}']);
    });
  });

  describe.each(TRANSPORTS)("through a relaying peer over %s", (_name, makeHarness) => {
    it("hands the client the upstream's answer byte for byte, its own id aside", async () => {
      // client → relay (the server peer of `front`) → upstream (the server peer of `back`).
      const upstreamRouter = new Router<TestCtx>();
      upstreamRouter.register("node.list", () => PAYLOAD);
      const back = await makeHarness({ server: { router: upstreamRouter } });
      const relayRouter = new Router<TestCtx>();
      relayRouter.register("node.list", ({ params }) => back.client.request("node.list", params, { rawPayload: true }));
      const front = await makeHarness({ server: { router: relayRouter } });
      const received: string[] = [];
      front.clientTransport.onMessage((text) => received.push(text));
      try {
        const result = await front.client.request("node.list", {});
        expect(result).toEqual(PAYLOAD);
        expect(received).toHaveLength(1);
        const id = (JSON.parse(received[0] ?? "{}") as { id: string }).id;
        expect(received[0]).toBe(`{"type":"res","id":"${id}","ok":true,"payload":${JSON.stringify(PAYLOAD)}}`);
      } finally {
        await front.dispose();
        await back.dispose();
      }
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { ConnectParams, ErrorCodes, RequestFrame } from "@clawbridge/protocol";
import WebSocket from "ws";
import { MockGateway } from "../src/index.js";
import { connectOperator } from "./helpers.js";
import type { OperatorClient } from "./helpers.js";

/**
 * 1 000 random and mutated frames from several sockets against one MockGateway: the
 * process stays up, every bad frame gets its documented answer or close code, and a
 * well-behaved client on another socket keeps getting correct answers throughout.
 */

const TOKEN = "fuzz-token";
const MAX_PAYLOAD = 200_000;
const VALID_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

let gateway: MockGateway;
beforeAll(async () => {
  gateway = new MockGateway({ auth: { token: TOKEN }, server: { maxPayloadBytes: MAX_PAYLOAD }, tickIntervalMs: 200 });
  await gateway.start();
  gateway.addFakeNode({ nodeId: "fake", commands: ["system.notify"], handler: () => ({ shown: true }) });
});
afterAll(async () => {
  await gateway.stop({ graceMs: 200 });
});

// ---- frame generators -----------------------------------------------------

const connectFrame = (): Record<string, unknown> => ({
  type: "req",
  id: "c1",
  method: "connect",
  params: {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "cli", version: "1", platform: "linux", mode: "cli" },
    role: "operator",
    scopes: ["operator.read"],
    auth: { token: TOKEN },
  },
});

const BASE_FRAMES: (() => Record<string, unknown>)[] = [
  connectFrame,
  () => ({ type: "req", id: "a", method: "status" }),
  () => ({ type: "req", id: "b", method: "health", params: { probe: true } }),
  () => ({ type: "req", id: "c", method: "node.list", params: {} }),
  () => ({ type: "req", id: "d", method: "node.describe", params: { nodeId: "fake" } }),
  () => ({ type: "req", id: "e", method: "node.invoke", params: { nodeId: "fake", command: "system.notify", idempotencyKey: "k" } }),
  () => ({ type: "req", id: "f", method: "logs.tail", params: { limit: 3 } }),
  () => ({ type: "req", id: "g", method: "device.pair.list", params: {} }),
  () => ({ type: "req", id: "h", method: "node.invoke.result", params: { id: "x", nodeId: "fake", ok: true } }),
  () => ({ type: "event", event: "tick", payload: { ts: 1 } }),
  () => ({ type: "res", id: "r", ok: true, payload: {} }),
];

type Mutation =
  | { kind: "set"; path: string[]; value: unknown }
  | { kind: "delete"; key: string }
  | { kind: "truncate"; at: number }
  | { kind: "append"; junk: string }
  | { kind: "wrap" }
  | { kind: "pad"; bytes: number };

const keyArb = fc.constantFrom("type", "id", "method", "params", "event", "ok", "payload", "error", "seq", "bogus", "traceparent");
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("set" as const), path: fc.array(fc.constantFrom("params", "client", "auth", "id", "method", "type", "minProtocol", "role", "nodeId", "scopes"), { minLength: 1, maxLength: 3 }), value: fc.jsonValue({ maxDepth: 2 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("delete" as const), key: keyArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat({ max: 200 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("append" as const), junk: fc.string({ maxLength: 8 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "wrap" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("pad" as const), bytes: fc.constantFrom(70_000, MAX_PAYLOAD + 10_000) }) },
);

function applyMutations(base: Record<string, unknown>, mutations: Mutation[]): string {
  let value: unknown = structuredClone(base);
  let suffix = "";
  let truncateAt: number | undefined;
  for (const mutation of mutations) {
    if (mutation.kind === "set" && typeof value === "object" && value !== null && !Array.isArray(value)) {
      let node = value as Record<string, unknown>;
      for (const key of mutation.path.slice(0, -1)) {
        const child = node[key];
        if (typeof child !== "object" || child === null || Array.isArray(child)) node[key] = {};
        node = node[key] as Record<string, unknown>;
      }
      node[mutation.path[mutation.path.length - 1] as string] = mutation.value;
    } else if (mutation.kind === "delete" && typeof value === "object" && value !== null && !Array.isArray(value)) {
      delete (value as Record<string, unknown>)[mutation.key];
    } else if (mutation.kind === "wrap") {
      value = [value];
    } else if (mutation.kind === "pad" && typeof value === "object" && value !== null && !Array.isArray(value)) {
      (value as Record<string, unknown>)["pad"] = "x".repeat(mutation.bytes);
    } else if (mutation.kind === "truncate") {
      truncateAt = mutation.at;
    } else if (mutation.kind === "append") {
      suffix += mutation.junk;
    }
  }
  let text = JSON.stringify(value) ?? "null";
  if (truncateAt !== undefined && truncateAt < text.length) text = text.slice(0, truncateAt);
  return text + suffix;
}

/** Random JSON, random text, and mutated valid frames. */
const frameTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? "null") },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.nat({ max: BASE_FRAMES.length - 1 }), fc.array(mutationArb, { maxLength: 3 }))
      .map(([index, mutations]) => applyMutations((BASE_FRAMES[index] as () => Record<string, unknown>)(), mutations)),
  },
);

// ---- oracles ----------------------------------------------------------------

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function claimsWorker(value: Record<string, unknown>): boolean {
  if (!("params" in value) || !isRecord(value["params"])) return false;
  const params = value["params"];
  const client = isRecord(params["client"]) ? params["client"] : {};
  return params["role"] === "worker" || client["id"] === "openclaw-worker" || client["mode"] === "worker";
}

type PreHelloExpectation =
  | { close: { code: number; reason?: string }; response?: { id: string; code: string; messagePrefix: string } }
  | { anyConnectOutcome: string };

function expectPreHello(text: string): PreHelloExpectation {
  if (Buffer.byteLength(text) > 65_536) {
    // ws refuses it from the frame header, with an empty reason (as a real 2026.9.6 gateway).
    return { close: { code: 1009, reason: "" } };
  }
  const parsed = parse(text);
  if (!parsed.ok) return { close: { code: 1000, reason: "" } };
  if (isRecord(parsed.value) && claimsWorker(parsed.value)) return { close: { code: 1008, reason: "invalid-handshake" } };
  const frame = RequestFrame.safeParse(parsed.value);
  if (!frame.success) return { close: { code: 1008, reason: "invalid request frame" } };
  if (frame.data.method !== "connect") {
    return {
      close: { code: 1008, reason: "invalid handshake: first request must be connect" },
      response: { id: frame.data.id, code: "INVALID_REQUEST", messagePrefix: "invalid handshake: first request must be connect" },
    };
  }
  if (!ConnectParams.safeParse(frame.data.params).success) {
    return { close: { code: 1008 }, response: { id: frame.data.id, code: "INVALID_REQUEST", messagePrefix: "invalid connect params: " } };
  }
  return { anyConnectOutcome: frame.data.id };
}

type PostHelloExpectation = { close: number } | { silent: true } | { invalidFrame: string } | { answer: string };

function expectPostHello(text: string): PostHelloExpectation {
  if (Buffer.byteLength(text) > MAX_PAYLOAD) return { close: 1009 };
  const parsed = parse(text);
  if (!parsed.ok) return { silent: true };
  const frame = RequestFrame.safeParse(parsed.value);
  if (frame.success) return { answer: frame.data.id };
  const id = isRecord(parsed.value) && typeof parsed.value["id"] === "string" && parsed.value["id"] !== "" ? parsed.value["id"] : "invalid";
  return { invalidFrame: id };
}

// ---- raw sockets ----------------------------------------------------------------

class Raw {
  readonly frames: Record<string, unknown>[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #wake: (() => void) | undefined;

  constructor(readonly socket: WebSocket) {
    socket.on("message", (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString("utf8")) as Record<string, unknown>);
      this.#wake?.();
    });
    socket.on("error", () => undefined);
    this.closed = new Promise((resolve) =>
      socket.on("close", (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString("utf8") });
        this.#wake?.();
      }),
    );
  }

  static async open(url: string): Promise<Raw> {
    const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    const raw = new Raw(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return raw;
  }

  get isClosed(): boolean {
    return this.socket.readyState === WebSocket.CLOSED;
  }

  /** Waits for a response with `id` (scanning from `from`); undefined if the socket closed first. */
  async response(id: string, from: number): Promise<Record<string, unknown> | undefined> {
    for (;;) {
      const found = this.frames.slice(from).find((frame) => frame["type"] === "res" && frame["id"] === id);
      if (found !== undefined) return found;
      if (this.isClosed) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

async function authenticatedRaw(url: string): Promise<Raw> {
  const raw = await Raw.open(url);
  raw.socket.send(JSON.stringify(connectFrame()));
  const hello = await raw.response("c1", 0);
  expect(hello?.["ok"]).toBe(true);
  return raw;
}

// ---- the test ----------------------------------------------------------------------

describe("bad input", () => {
  it("survives 1 000 random and mutated frames while a good client keeps working", async () => {
    const url = gateway.url;
    // The well-behaved client: loops over correct calls and checks every answer.
    const good: OperatorClient = await connectOperator(url, { token: TOKEN, scopes: ["operator.read", "operator.write"] });
    let stop = false;
    let goodCalls = 0;
    const goodErrors: unknown[] = [];
    const goodLoop = (async () => {
      while (!stop) {
        const health = await good.peer.request<{ ok: boolean }>("health");
        expect(health.ok).toBe(true);
        const list = await good.peer.request<{ nodes: { nodeId: string }[] }>("node.list", {});
        expect(list.nodes.map((node) => node.nodeId)).toContain("fake");
        const invoked = await good.peer.request<{ payload: unknown }>("node.invoke", {
          nodeId: "fake",
          command: "system.notify",
          idempotencyKey: `good-${goodCalls}`,
        });
        expect(invoked.payload).toEqual({ shown: true });
        await expect(good.peer.request("node.list", { bogus: 1 })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
        goodCalls += 1;
      }
    })().catch((error: unknown) => {
      goodErrors.push(error);
    });

    let sent = 0;
    const seen = new Map<string, number>();
    const count = (kind: string): void => {
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
    };
    // 1) pre-hello: one fresh socket per frame (300 frames).
    const preHello = fc.sample(frameTextArb, { numRuns: 300, seed: 4242 });
    for (let batch = 0; batch < preHello.length; batch += 10) {
      await Promise.all(
        preHello.slice(batch, batch + 10).map(async (text) => {
          const raw = await Raw.open(url);
          raw.socket.send(text);
          sent += 1;
          const expected = expectPreHello(text);
          count(
            "anyConnectOutcome" in expected
              ? "pre:connect"
              : `pre:${expected.close.code}${expected.response === undefined ? "" : "+res"}`,
          );
          if ("anyConnectOutcome" in expected) {
            // A mutation that kept connect valid: either hello-ok or a refusal + close.
            const answer = await raw.response(expected.anyConnectOutcome, 0);
            if (answer?.["ok"] === true) {
              raw.socket.close();
              return;
            }
            expect([1002, 1008], text.slice(0, 200)).toContain((await raw.closed).code);
            return;
          }
          const closed = await raw.closed;
          const responses = raw.frames.filter((frame) => frame["type"] === "res");
          expect(closed.code, text.slice(0, 200)).toBe(expected.close.code);
          if (expected.close.reason !== undefined) expect(closed.reason).toBe(expected.close.reason);
          if (expected.response === undefined) {
            expect(responses, text.slice(0, 200)).toEqual([]);
          } else {
            expect(responses).toHaveLength(1);
            const error = responses[0]?.["error"] as { code: string; message: string };
            expect(responses[0]?.["id"]).toBe(expected.response.id);
            expect(error.code).toBe(expected.response.code);
            expect(error.message.startsWith(expected.response.messagePrefix)).toBe(true);
            expect(closed.reason).toBe(error.message.slice(0, closed.reason.length));
          }
        }),
      );
      // A socket that got hello-ok is simply left to close with the test; nothing else.
    }

    // 2) post-hello: 700 frames over 4 authenticated sockets (reconnecting after closes).
    const postHello = fc.sample(frameTextArb, { numRuns: 700, seed: 777 });
    const lanes = [0, 1, 2, 3].map((lane) => postHello.filter((_text, index) => index % 4 === lane));
    await Promise.all(
      lanes.map(async (texts, lane) => {
        let raw = await authenticatedRaw(url);
        let sentinel = 0;
        for (const text of texts) {
          if (raw.isClosed) raw = await authenticatedRaw(url);
          const from = raw.frames.length;
          raw.socket.send(text);
          sent += 1;
          const expected = expectPostHello(text);
          count(`post:${Object.keys(expected)[0] as string}`);
          if ("close" in expected) {
            expect((await raw.closed).code).toBe(expected.close);
            continue;
          }
          if ("answer" in expected) {
            const answer = await raw.response(expected.answer, from);
            if (answer === undefined) {
              // Only the documented flood guard may close an authenticated socket here.
              expect(await raw.closed).toEqual({ code: 1008, reason: "repeated unauthorized calls" });
              continue;
            }
            if (answer["ok"] === false) expect(VALID_CODES).toContain((answer["error"] as { code: string }).code);
          }
          if ("invalidFrame" in expected) {
            const answer = await raw.response(expected.invalidFrame, from);
            expect(answer?.["ok"], text.slice(0, 200)).toBe(false);
            const error = answer?.["error"] as { code: string; message: string };
            expect(error.code).toBe("INVALID_REQUEST");
            expect(error.message.startsWith("invalid request frame: ")).toBe(true);
          }
          // Sentinel: the socket still answers, and nothing else was answered in between.
          const id = `sentinel-${lane}-${sentinel++}`;
          raw.socket.send(JSON.stringify({ type: "req", id, method: "health" }));
          expect((await raw.response(id, from))?.["ok"]).toBe(true);
          const between = raw.frames.slice(from).filter((frame) => frame["type"] === "res" && frame["id"] !== id);
          expect(between.length, text.slice(0, 200)).toBe("silent" in expected ? 0 : 1);
        }
        raw.socket.close();
      }),
    );

    stop = true;
    await goodLoop;
    expect(sent).toBe(1_000);
    // The generators must reach every documented outcome, or the test proves little.
    for (const kind of ["pre:1000", "pre:1008", "pre:1008+res", "pre:1009", "post:close", "post:silent", "post:invalidFrame", "post:answer"]) {
      expect(seen.get(kind) ?? 0, `${kind} in ${JSON.stringify([...seen])}`).toBeGreaterThan(3);
    }
    expect(goodErrors).toEqual([]);
    expect(goodCalls).toBeGreaterThan(0);
    // The gateway is still healthy for new clients.
    const fresh = await connectOperator(url, { token: TOKEN, scopes: ["operator.read"] });
    expect(await fresh.peer.request("health")).toMatchObject({ ok: true });
    await fresh.close();
    await good.close();
  }, 120_000);
});

import { randomUUID } from "node:crypto";
import { DEDUPE_MAX, DEDUPE_TTL_MS, DEFAULT_NODE_INVOKE_TIMEOUT_MS, ErrorCodes } from "@clawbridge/protocol";
import type { ErrorShape } from "@clawbridge/protocol";
import { LRUCache } from "lru-cache";
import type { NodeRecord } from "./node-registry.js";

/** What a node answered (or why it did not). */
export type NodeInvokeOutcome =
  | { readonly ok: true; readonly payload: unknown; readonly payloadJSON: string | null }
  | { readonly ok: false; readonly error: ErrorShape };

interface PendingInvoke {
  readonly nodeId: string;
  readonly connId: string | undefined;
  readonly resolve: (outcome: NodeInvokeOutcome) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** `UNAVAILABLE` from a node-side error, worded as OpenClaw does (`<code>: <message>`). */
export function nodeErrorShape(nodeError: { code?: string | undefined; message?: string | undefined } | null | undefined, dispatched: boolean): ErrorShape {
  const code = nodeError?.code?.trim() ?? "";
  const text = nodeError?.message?.trim() || "node invoke failed";
  return {
    code: ErrorCodes.UNAVAILABLE,
    message: code !== "" ? `${code}: ${text}` : text,
    details: { nodeError: nodeError ?? null, nodeCommandDispatched: dispatched },
  };
}

/**
 * The answer when the node has no current pairing generation: an unknown node id, or a node
 * whose command surface was never approved (observed on 2026.9.6 for both — the gateway checks
 * the pairing before the allowlist, so an unapproved `system.run` is not an allowlist error).
 */
export function nodePairingChanged(): ErrorShape {
  return {
    code: ErrorCodes.UNAVAILABLE,
    message: "node pairing changed while invocation was active",
    details: { code: "PAIRING_CHANGED" },
    retryable: true,
  };
}

/** The answer when the node has no live connection. */
export function nodeNotConnected(): ErrorShape {
  return {
    code: ErrorCodes.UNAVAILABLE,
    message: "node not connected",
    details: {
      code: "NOT_CONNECTED",
      nodeError: { code: "NOT_CONNECTED", message: "node not connected" },
      nodeCommandDispatched: false,
    },
  };
}

function parsePayload(payload: unknown, payloadJSON: string | null | undefined): unknown {
  if (typeof payloadJSON !== "string") return payload;
  try {
    return JSON.parse(payloadJSON);
  } catch {
    return payload;
  }
}

/**
 * Gateway → node invoke plumbing: sends `node.invoke.request` events (no `seq`),
 * matches `node.invoke.result` requests to them, applies the timeout, and dedupes by
 * `idempotencyKey` (5 min / 1 000 entries, like the gateway's dedupe cache).
 */
export class NodeInvokeBroker {
  readonly #pending = new Map<string, PendingInvoke>();
  readonly #dedupe = new LRUCache<string, Promise<NodeInvokeOutcome>>({ max: DEDUPE_MAX, ttl: DEDUPE_TTL_MS });
  readonly #defaultTimeoutMs: number;

  /** @param defaultTimeoutMs - invoke timeout when the request has none (ms). Default 30 000. */
  constructor(defaultTimeoutMs: number = DEFAULT_NODE_INVOKE_TIMEOUT_MS) {
    this.#defaultTimeoutMs = defaultTimeoutMs;
  }

  /** Pending invokes (for tests). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Runs `invoke` once per `idempotencyKey`: a repeat within 5 minutes gets the same
   * outcome (a concurrent repeat waits for the first). Outcomes that never reached the
   * node are not remembered, so a retry after reconnecting works.
   */
  async dedupe(idempotencyKey: string, invoke: () => Promise<NodeInvokeOutcome & { dispatched: boolean }>): Promise<NodeInvokeOutcome> {
    const key = `node.invoke:${idempotencyKey}`;
    const cached = this.#dedupe.get(key);
    if (cached !== undefined) return await cached;
    const running = invoke();
    this.#dedupe.set(key, running);
    const outcome = await running;
    if (!outcome.dispatched) this.#dedupe.delete(key);
    return outcome;
  }

  /** Sends one invoke to a node and waits for its result. */
  async invoke(
    record: NodeRecord,
    command: string,
    params: unknown,
    options: { timeoutMs?: number | undefined; idempotencyKey: string; sessionKey?: string | undefined },
  ): Promise<NodeInvokeOutcome & { dispatched: boolean }> {
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    if (record.fake !== undefined) {
      if (!record.fake.connected) return { ok: false, error: nodeNotConnected(), dispatched: false };
      try {
        const payload = await record.fake.handler?.(command, params);
        return { ok: true, payload: payload ?? null, payloadJSON: JSON.stringify(payload ?? null), dispatched: true };
      } catch (error) {
        const shape = error as { code?: unknown; message?: unknown };
        const nodeError = {
          ...(typeof shape.code === "string" ? { code: shape.code } : {}),
          message: typeof shape.message === "string" ? shape.message : String(error),
        };
        return { ok: false, error: nodeErrorShape(nodeError, true), dispatched: true };
      }
    }
    const connection = record.connection;
    if (connection === undefined || !connection.isOpen) return { ok: false, error: nodeNotConnected(), dispatched: false };
    const id = randomUUID();
    const outcome = new Promise<NodeInvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve({ ok: false, error: nodeErrorShape({ code: "TIMEOUT", message: "node invoke timed out" }, true) });
      }, timeoutMs);
      this.#pending.set(id, { nodeId: record.nodeId, connId: connection.connId, resolve, timer });
    });
    const payload: Record<string, unknown> = {
      id,
      nodeId: record.nodeId,
      command,
      paramsJSON: params === undefined ? null : JSON.stringify(params),
      timeoutMs,
      idempotencyKey: options.idempotencyKey,
    };
    if (options.sessionKey !== undefined) payload["sessionKey"] = options.sessionKey;
    // Direct node events carry no seq.
    if (!connection.sendEvent("node.invoke.request", payload)) {
      this.#settle(id, { ok: false, error: nodeNotConnected() });
      return { ...(await outcome), dispatched: false };
    }
    return { ...(await outcome), dispatched: true };
  }

  /** Handles a node's `node.invoke.result`; false when nothing was waiting (late or unknown). */
  complete(result: {
    id: string;
    nodeId: string;
    ok: boolean;
    payload?: unknown;
    payloadJSON?: string | null | undefined;
    error?: { code?: string | undefined; message?: string | undefined } | undefined;
  }): boolean {
    const pending = this.#pending.get(result.id);
    if (pending === undefined || pending.nodeId !== result.nodeId) return false;
    this.#settle(
      result.id,
      result.ok
        ? { ok: true, payload: parsePayload(result.payload, result.payloadJSON), payloadJSON: result.payloadJSON ?? null }
        : { ok: false, error: nodeErrorShape(result.error ?? null, true) },
    );
    return true;
  }

  /** Fails every invoke pending on a connection that went away. */
  failConnection(connId: string): void {
    for (const [id, pending] of [...this.#pending]) {
      if (pending.connId === connId) {
        this.#settle(id, { ok: false, error: nodeErrorShape({ code: "UNAVAILABLE", message: "node disconnected" }, true) });
      }
    }
  }

  #settle(id: string, outcome: NodeInvokeOutcome): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }
}

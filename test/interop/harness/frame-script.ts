import { isObject, RawWsClient } from "./raw-client.ts";
import type { CloseInfo, InboundFrame, RawConnectOptions } from "./raw-client.ts";

/** The `connect.challenge` payload as received (fields are whatever the server sent). */
export type ChallengePayload = Record<string, unknown>;

/** One step of a frame script. Steps run in order; `expect*` steps each produce one outcome. */
export type FrameScriptStep =
  /** Send `text` verbatim as a text frame (may be invalid JSON or oversize). */
  | { readonly kind: "send"; readonly text: string }
  /** Send `JSON.stringify(frame)`. */
  | { readonly kind: "send-json"; readonly frame: unknown }
  /**
   * Wait for `connect.challenge` (default 10 000 ms), then send a `connect` request with id `id`
   * and the given params (or params computed from the challenge payload, e.g. to sign its nonce).
   * If the challenge does not arrive, outcome `{type:"no-challenge"}` is recorded and the script stops.
   */
  | {
      readonly kind: "connect";
      readonly id: string;
      readonly params: Record<string, unknown> | ((challenge: ChallengePayload) => Record<string, unknown>);
      readonly timeoutMs?: number;
    }
  /** Send a request frame `{type:"req", id, method, params?}`. */
  | { readonly kind: "request"; readonly id: string; readonly method: string; readonly params?: unknown }
  /** Wait for the `res` with this id (default 10 000 ms). */
  | { readonly kind: "expect-response"; readonly id: string; readonly timeoutMs?: number }
  /** Wait for the socket to close (default 10 000 ms). */
  | { readonly kind: "expect-close"; readonly timeoutMs?: number }
  /** Wait for an event frame with this name (default 10 000 ms). */
  | { readonly kind: "expect-event"; readonly event: string; readonly timeoutMs?: number }
  /** Sleep `ms` milliseconds. */
  | { readonly kind: "sleep"; readonly ms: number };

/**
 * Normalised, server-independent result of one `expect*`/`connect` step, meant to be compared
 * with `toEqual` between the real gateway and clawbridge's mock. Messages, ids of server objects
 * and timestamps are left out on purpose (see {@link FrameScriptResult.transcript} for those).
 */
export type FrameOutcome =
  | { readonly type: "response"; readonly id: string; readonly ok: boolean; readonly errorCode?: string; readonly detailsCode?: string }
  | { readonly type: "missing-response"; readonly id: string; readonly closed?: { readonly code: number; readonly reason: string } }
  | { readonly type: "close"; readonly code: number; readonly reason: string }
  | { readonly type: "no-close" }
  | { readonly type: "event"; readonly event: string; readonly hasSeq: boolean }
  | { readonly type: "missing-event"; readonly event: string }
  | { readonly type: "no-challenge" };

/** Full result of {@link runFrameScript}. */
export interface FrameScriptResult {
  /** One normalised outcome per `expect*` step (and for a missing challenge). */
  readonly outcomes: FrameOutcome[];
  /** Every inbound frame with timestamps, for detailed assertions and fixture capture. */
  readonly transcript: readonly InboundFrame[];
  /** Every text sent, in order. */
  readonly sent: readonly string[];
  /** The challenge payload, if one arrived. */
  readonly challenge: ChallengePayload | undefined;
  /** How the socket ended (the script closes it with 1000 if it is still open at the end). */
  readonly close: CloseInfo | undefined;
}

/** Options of {@link runFrameScript}. */
export interface FrameScriptOptions extends RawConnectOptions {
  /** Leave the socket open at the end instead of closing it (returned as `client`). */
  readonly keepOpen?: boolean;
}

function normaliseResponse(frame: InboundFrame, id: string): FrameOutcome {
  const json = isObject(frame.json) ? frame.json : {};
  const ok = json["ok"] === true;
  const error = isObject(json["error"]) ? json["error"] : undefined;
  const details = error !== undefined && isObject(error["details"]) ? error["details"] : undefined;
  const errorCode = typeof error?.["code"] === "string" ? error["code"] : undefined;
  const detailsCode = typeof details?.["code"] === "string" ? details["code"] : undefined;
  return {
    type: "response",
    id,
    ok,
    ...(errorCode !== undefined ? { errorCode } : {}),
    ...(detailsCode !== undefined ? { detailsCode } : {}),
  };
}

/**
 * Runs `script` on one fresh WebSocket to `url` and returns normalised outcomes plus the full
 * transcript. Knows nothing about OpenClaw beyond the v4 envelope (`connect.challenge` event,
 * `req`/`res` frames), so the same script can run against the real gateway and the mock.
 * Expectation failures never throw: they become `missing-*`/`no-*` outcomes.
 */
export async function runFrameScript(
  url: string,
  script: readonly FrameScriptStep[],
  options: FrameScriptOptions = {},
): Promise<FrameScriptResult & { readonly client: RawWsClient }> {
  const client = await RawWsClient.connect(url, options);
  const outcomes: FrameOutcome[] = [];
  let challenge: ChallengePayload | undefined;
  let cursor = 0;

  for (const step of script) {
    if (step.kind === "send") {
      client.send(step.text);
    } else if (step.kind === "send-json") {
      client.sendJson(step.frame);
    } else if (step.kind === "request") {
      client.sendJson({ type: "req", id: step.id, method: step.method, ...(step.params !== undefined ? { params: step.params } : {}) });
    } else if (step.kind === "connect") {
      if (challenge === undefined) {
        try {
          const frame = await client.waitForEvent("connect.challenge", { timeoutMs: step.timeoutMs ?? 10_000 });
          const payload = isObject(frame.json) ? frame.json["payload"] : undefined;
          challenge = isObject(payload) ? payload : {};
        } catch {
          outcomes.push({ type: "no-challenge" });
          break;
        }
      }
      const params = typeof step.params === "function" ? step.params(challenge) : step.params;
      client.sendJson({ type: "req", id: step.id, method: "connect", params });
    } else if (step.kind === "expect-response") {
      try {
        const frame = await client.waitForResponse(step.id, { timeoutMs: step.timeoutMs ?? 10_000 });
        outcomes.push(normaliseResponse(frame, step.id));
      } catch {
        const closed = client.closed;
        outcomes.push({
          type: "missing-response",
          id: step.id,
          ...(closed !== undefined ? { closed: { code: closed.code, reason: closed.reason } } : {}),
        });
      }
    } else if (step.kind === "expect-event") {
      try {
        const frame = await client.waitForEvent(step.event, { timeoutMs: step.timeoutMs ?? 10_000, fromIndex: cursor });
        cursor = frame.index + 1;
        outcomes.push({ type: "event", event: step.event, hasSeq: isObject(frame.json) && "seq" in frame.json });
      } catch {
        outcomes.push({ type: "missing-event", event: step.event });
      }
    } else if (step.kind === "expect-close") {
      try {
        const closed = await client.waitForClose(step.timeoutMs ?? 10_000);
        outcomes.push({ type: "close", code: closed.code, reason: closed.reason });
      } catch {
        outcomes.push({ type: "no-close" });
      }
    } else {
      await new Promise((resolve) => setTimeout(resolve, step.ms));
    }
  }

  if (options.keepOpen !== true) await client.close();
  return { outcomes, transcript: client.frames, sent: client.sent, challenge, close: client.closed, client };
}

/** Inputs of {@link buildConnectParams}; every field has a protocol-v4 default. */
export interface ConnectParamsInput {
  /** `client.id` (default `"cli"`). */
  readonly clientId?: string;
  /** `client.mode` (default `"cli"`). */
  readonly clientMode?: string;
  /** `client.version` (default `"0.0.0-interop"`). */
  readonly clientVersion?: string;
  /** `client.platform` (default `"linux"`). */
  readonly platform?: string;
  /** `role` (default `"operator"`). */
  readonly role?: string;
  /** `scopes` (default `[]`). */
  readonly scopes?: readonly string[];
  /** `auth` object, e.g. `{ token }` or `{ password }` (default: omitted). */
  readonly auth?: Record<string, string>;
  /** `minProtocol` (default 4). */
  readonly minProtocol?: number;
  /** `maxProtocol` (default 4). */
  readonly maxProtocol?: number;
  /** Extra top-level params merged last (may override anything above). */
  readonly extra?: Record<string, unknown>;
}

/** Builds `connect` params for a device-less client; defaults mirror the real CLI's `cli`/`cli` operator. */
export function buildConnectParams(input: ConnectParamsInput = {}): Record<string, unknown> {
  return {
    minProtocol: input.minProtocol ?? 4,
    maxProtocol: input.maxProtocol ?? 4,
    client: {
      id: input.clientId ?? "cli",
      version: input.clientVersion ?? "0.0.0-interop",
      platform: input.platform ?? "linux",
      mode: input.clientMode ?? "cli",
    },
    caps: [],
    role: input.role ?? "operator",
    scopes: [...(input.scopes ?? [])],
    ...(input.auth !== undefined ? { auth: { ...input.auth } } : {}),
    ...input.extra,
  };
}

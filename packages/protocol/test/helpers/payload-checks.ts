import * as z from "zod";
import {
  ConnectChallengePayload,
  ConnectParams,
  HealthSnapshot,
  HelloOk,
  NodeInvokeRequestPayload,
  PresenceEntry,
  ShutdownPayload,
  TickPayload,
  TYPED_METHODS,
} from "../../src/index.js";

/** One payload inside a frame, with the zod schema and official definition that must accept it. */
export interface PayloadCheck {
  /** What the payload is, e.g. `event tick` or `req node.invoke params`. */
  label: string;
  value: unknown;
  zod: z.ZodType;
  /** JSON pointer below `#/definitions/`, or `null` when the 2026.9.1 contract has no definition. */
  official: string | null;
}

/** Official `*Params` definitions of the methods with a typed constant in `Methods`. */
export const OFFICIAL_PARAMS: Readonly<Record<string, string>> = {
  connect: "ConnectParams",
  "node.list": "NodeListParams",
  "node.describe": "NodeDescribeParams",
  "node.invoke": "NodeInvokeParams",
  "node.invoke.result": "NodeInvokeResultParams",
  "logs.tail": "LogsTailParams",
  "node.pair.list": "NodePairListParams",
  "node.pair.approve": "NodePairApproveParams",
  "device.pair.list": "DevicePairListParams",
  "device.pair.approve": "DevicePairApproveParams",
};

/** Official `*Result` definitions of typed methods (most results are not in the contract). */
export const OFFICIAL_RESULTS: Readonly<Record<string, string>> = {
  "logs.tail": "LogsTailResult",
};

const EVENT_PAYLOADS: Readonly<Record<string, { zod: z.ZodType; official: string | null }>> = {
  // The contract has no definition for the challenge payload.
  "connect.challenge": { zod: ConnectChallengePayload, official: null },
  tick: { zod: TickPayload, official: "TickEvent" },
  shutdown: { zod: ShutdownPayload, official: "ShutdownEvent" },
  health: { zod: HealthSnapshot, official: "Snapshot/properties/health" },
  "node.invoke.request": { zod: NodeInvokeRequestPayload, official: "NodeInvokeRequestEvent" },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The payload checks a frame implies: event payloads by event name, request params by
 * method, `hello-ok` by its `type`, results by the method of the request with the same
 * id in `requests`, and structured error details by their `code`.
 */
export function payloadChecksFor(frame: unknown, requests: ReadonlyMap<string, string> = new Map()): PayloadCheck[] {
  if (!isRecord(frame)) return [];
  const checks: PayloadCheck[] = [];
  if (frame["type"] === "event" && typeof frame["event"] === "string") {
    const known = EVENT_PAYLOADS[frame["event"]];
    if (known !== undefined) checks.push({ label: `event ${frame["event"]}`, value: frame["payload"], ...known });
    if (frame["event"] === "presence" && isRecord(frame["payload"]) && Array.isArray(frame["payload"]["presence"])) {
      frame["payload"]["presence"].forEach((entry, i) =>
        checks.push({ label: `event presence entry ${i}`, value: entry, zod: PresenceEntry, official: "PresenceEntry" }),
      );
    }
  }
  if (frame["type"] === "req" && typeof frame["method"] === "string" && frame["params"] !== undefined) {
    const method = frame["method"];
    const zod = method === "connect" ? ConnectParams : TYPED_METHODS.get(method)?.params;
    if (zod !== undefined) {
      checks.push({ label: `req ${method} params`, value: frame["params"], zod, official: OFFICIAL_PARAMS[method] ?? null });
    }
  }
  if (frame["type"] === "res" && frame["ok"] === true && frame["payload"] !== undefined) {
    const payload = frame["payload"];
    if (isRecord(payload) && payload["type"] === "hello-ok") {
      checks.push({ label: "res hello-ok", value: payload, zod: HelloOk, official: "HelloOk" });
    } else {
      const method = typeof frame["id"] === "string" ? requests.get(frame["id"]) : undefined;
      const definition = method === undefined ? undefined : TYPED_METHODS.get(method);
      if (method !== undefined && definition !== undefined) {
        checks.push({
          label: `res ${method} result`,
          value: payload,
          zod: definition.result,
          official: OFFICIAL_RESULTS[method] ?? null,
        });
      }
    }
  }
  if (frame["type"] === "res" && isRecord(frame["error"]) && isRecord(frame["error"]["details"])) {
    const details = frame["error"]["details"];
    if (details["code"] === "MISSING_SCOPE") {
      checks.push({
        label: "error details MISSING_SCOPE",
        value: details,
        zod: z.strictObject({
          code: z.literal("MISSING_SCOPE"),
          missingScope: z.string().min(1),
          requiredScopes: z.array(z.string().min(1)).min(1),
        }),
        official: "MissingScopeErrorDetails",
      });
    }
  }
  return checks;
}

/** `id → method` of every request frame in `frames`, to type the matching responses. */
export function requestMethods(frames: readonly unknown[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const frame of frames) {
    if (isRecord(frame) && frame["type"] === "req" && typeof frame["id"] === "string" && typeof frame["method"] === "string") {
      map.set(frame["id"], frame["method"]);
    }
  }
  return map;
}

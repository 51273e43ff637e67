import { systemRunInvokeParams } from "../../../apps/demo/src/invoke-params.ts";
import { buildConnectParams } from "./frame-script.ts";
import { isObject, RawWsClient } from "./raw-client.ts";

/** Shared-secret credentials of a gateway: exactly one of token or password. */
export type GatewayAuth = { readonly token: string } | { readonly password: string };

/** Result of {@link callGateway}: the raw hello-ok and response frames. */
export interface GatewayCallResult {
  /** The full `connect` response frame (`payload.type === "hello-ok"` on success). */
  readonly hello: Record<string, unknown>;
  /** The full response frame of the call. */
  readonly response: Record<string, unknown>;
  /** `response.ok`. */
  readonly ok: boolean;
  /** `response.payload` (undefined when absent). */
  readonly payload: unknown;
  /** `response.error` (undefined on success). */
  readonly error: Record<string, unknown> | undefined;
}

/** Options of {@link callGateway}. */
export interface GatewayCallOptions {
  readonly auth: GatewayAuth;
  readonly method: string;
  readonly params?: unknown;
  /** Requested scopes (default `["operator.admin"]`). */
  readonly scopes?: readonly string[];
  /** `client.id` (default `"cli"`; `cli`/`cli` keeps its scopes on loopback without a device). */
  readonly clientId?: string;
  /** `client.mode` (default `"cli"`). */
  readonly clientMode?: string;
  /** Overall budget for connect + call, in ms (default 15 000). */
  readonly timeoutMs?: number;
}

/**
 * One device-less operator call over a fresh raw socket: challenge -> connect -> request ->
 * close. Throws if the connect is rejected or nothing arrives in time; a gateway error
 * response is returned (with `ok:false`), not thrown.
 */
export async function callGateway(url: string, options: GatewayCallOptions): Promise<GatewayCallResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const client = await RawWsClient.connect(url, { openTimeoutMs: timeoutMs });
  try {
    await client.waitForEvent("connect.challenge", { timeoutMs });
    client.sendJson({
      type: "req",
      id: "connect-1",
      method: "connect",
      params: buildConnectParams({
        clientId: options.clientId ?? "cli",
        clientMode: options.clientMode ?? "cli",
        scopes: options.scopes ?? ["operator.admin"],
        auth: { ...options.auth },
      }),
    });
    const helloFrame = await client.waitForResponse("connect-1", { timeoutMs });
    const hello = isObject(helloFrame.json) ? helloFrame.json : {};
    if (hello["ok"] !== true) throw new Error(`connect rejected: ${helloFrame.text}`);
    client.sendJson({ type: "req", id: "call-1", method: options.method, params: options.params ?? {} });
    const responseFrame = await client.waitForResponse("call-1", { timeoutMs });
    const response = isObject(responseFrame.json) ? responseFrame.json : {};
    const error = isObject(response["error"]) ? response["error"] : undefined;
    return { hello, response, ok: response["ok"] === true, payload: response["payload"], error };
  } finally {
    await client.close();
  }
}

// The params the seed's agent on GW1 sends (agentId, suppressNotifyOnExit; the demo builds them too).
export { systemRunInvokeParams } from "../../../apps/demo/src/invoke-params.ts";

/** One `node.invoke system.run` on `nodeId` through `gateway`, as an operator with `operator.write`. */
export function callSystemRun(
  gateway: { readonly url: string; readonly auth: GatewayAuth },
  nodeId: string,
  argv: readonly string[],
  runTimeoutMs: number,
): Promise<GatewayCallResult> {
  return callGateway(gateway.url, {
    auth: gateway.auth,
    scopes: ["operator.write"],
    method: "node.invoke",
    params: systemRunInvokeParams(nodeId, argv, runTimeoutMs),
    timeoutMs: runTimeoutMs + 30_000,
  });
}

import { assertWithinCeiling, CallTimeoutError, GatewayClient, resolveRequestedScopes } from "@clawbridge/client";
import type { GatewayClientOptions } from "@clawbridge/client";
import { RequestTimeoutError } from "@clawbridge/rpc-core";

/** One request of a verb. */
export interface PlannedCall {
  readonly method: string;
  readonly params: unknown;
}

/**
 * Runs one or more requests on a single fresh connection within one overall budget,
 * like `GatewayClient.callOnce` (client `cli`/`cli`, least-privilege scopes for exactly
 * these requests, checked against the profile's ceiling before connecting, no
 * reconnect, socket always closed). Requests go out concurrently once connected. On
 * expiry rejects with `CallTimeoutError` saying whether the request had been sent.
 *
 * @param budgetMs - connect + handshake + requests (ms)
 * @returns the payloads, in the order of `calls`
 */
export async function callOnSession(options: GatewayClientOptions, calls: readonly PlannedCall[], budgetMs: number): Promise<unknown[]> {
  const methods = calls.map((call) => ({ method: call.method, params: call.params }));
  const first = calls[0]?.method ?? "connect";
  if (options.scopeCeiling !== undefined) {
    assertWithinCeiling(resolveRequestedScopes({ scopes: options.scopes, methods }), options.scopeCeiling, first);
  }
  const startedAt = Date.now();
  const remaining = (): number => Math.max(1, budgetMs - (Date.now() - startedAt));
  const client = new GatewayClient({
    ...options,
    client: { id: "cli", mode: "cli", ...options.client },
    methods,
    reconnect: false,
    challengeTimeoutMs: budgetMs,
    helloTimeoutMs: budgetMs,
    openTimeoutMs: budgetMs,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CallTimeoutError(first, budgetMs, false, "connect")), budgetMs);
    });
    const connecting = client.connect();
    // If the budget wins the race, the abandoned attempt rejects when we close the client.
    connecting.catch(() => undefined);
    await Promise.race([connecting, expired]);
    clearTimeout(timer);
    return await Promise.all(
      calls.map(async (call) => {
        try {
          return await client.call(call.method, call.params, { timeoutMs: remaining() });
        } catch (error) {
          if (error instanceof RequestTimeoutError) throw new CallTimeoutError(call.method, budgetMs, error.requestSent, "request");
          throw error;
        }
      }),
    );
  } finally {
    clearTimeout(timer);
    await client.close();
  }
}

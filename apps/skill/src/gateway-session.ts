import { assertWithinCeiling, CallTimeoutError, GatewayClient, resolveRequestedScopes } from "@clawbridge/client";
import type { GatewayClientOptions } from "@clawbridge/client";
import { RequestAbortedError, RequestTimeoutError } from "@clawbridge/rpc-core";

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
 * expiry rejects with `CallTimeoutError`, on `signal`'s abort with `RequestAbortedError`,
 * each saying whether the request had been sent.
 *
 * @param budgetMs - connect + handshake + requests (ms)
 * @param signal - aborted on SIGINT/SIGTERM
 * @returns the payloads, in the order of `calls`
 */
export async function callOnSession(options: GatewayClientOptions, calls: readonly PlannedCall[], budgetMs: number, signal?: AbortSignal): Promise<unknown[]> {
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
  let offAbort: () => void = () => undefined;
  try {
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CallTimeoutError(first, budgetMs, false, "connect")), budgetMs);
    });
    const aborted = new Promise<never>((_, reject) => {
      if (signal === undefined) return;
      const onAbort = (): void => reject(new RequestAbortedError(first, false, signal.reason));
      if (signal.aborted) onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      offAbort = () => signal.removeEventListener("abort", onAbort);
    });
    const connecting = client.connect();
    // If the budget or a signal wins the race, the abandoned attempt rejects when we close the client.
    connecting.catch(() => undefined);
    await Promise.race([connecting, expired, aborted]);
    clearTimeout(timer);
    offAbort();
    return await Promise.all(
      calls.map(async (call) => {
        try {
          return await client.call(call.method, call.params, { timeoutMs: remaining(), signal });
        } catch (error) {
          if (error instanceof RequestTimeoutError) throw new CallTimeoutError(call.method, budgetMs, error.requestSent, "request");
          throw error;
        }
      }),
    );
  } finally {
    clearTimeout(timer);
    offAbort();
    await client.close();
  }
}

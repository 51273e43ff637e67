import { CallTimeoutError, GatewayClient } from "@clawbridge/client";
import type { GatewayClientOptions } from "@clawbridge/client";
import type { HelloOk } from "@clawbridge/protocol";
import { RequestAbortedError } from "@clawbridge/rpc-core";
import type { ResolvedConnection } from "./target-options.js";

/** A connected client plus its `hello-ok` and how long the connect took. */
export interface Session {
  readonly client: GatewayClient;
  readonly hello: HelloOk;
  /** Socket + challenge + connect + hello-ok (ms). */
  readonly connectMs: number;
}

/**
 * Connects a long-lived (non-reconnecting) CLI client (`cli`/`cli` identity) within one
 * overall budget, like `GatewayClient.callOnce` does for a single call. On expiry the
 * client is closed and a `CallTimeoutError` (phase `connect`, request not sent) thrown.
 *
 * @param extra - options over the resolved ones (scopes, device mode, logger, …)
 * @param beforeConnect - called with the client before connecting (subscribe to events
 *   here: the gateway may push one in the same packet as `hello-ok`)
 * @param signal - ends the connect (SIGINT/SIGTERM): `RequestAbortedError`, request not sent
 */
export async function openSession(
  connection: ResolvedConnection,
  extra: GatewayClientOptions = {},
  beforeConnect?: (client: GatewayClient) => void,
  signal?: AbortSignal,
): Promise<Session> {
  // What is left of the overall budget (secret resolution counts); errors name the whole budget.
  const budget = connection.remainingMs();
  const client = new GatewayClient({
    ...connection.options,
    ...extra,
    client: { id: "cli", mode: "cli", ...extra.client },
    reconnect: false,
    challengeTimeoutMs: budget,
    helloTimeoutMs: budget,
    openTimeoutMs: budget,
  });
  beforeConnect?.(client);
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let offAbort = (): void => undefined;
  try {
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CallTimeoutError("connect", connection.timeoutMs, false, "connect")), budget);
    });
    const aborted = new Promise<never>((_, reject) => {
      if (signal === undefined) return;
      const onAbort = (): void => reject(new RequestAbortedError("connect", false, signal.reason));
      if (signal.aborted) onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      offAbort = () => signal.removeEventListener("abort", onAbort);
    });
    const hello = await Promise.race([client.connect(), expired, aborted]);
    return { client, hello, connectMs: performance.now() - started };
  } catch (error) {
    await client.close();
    throw error;
  } finally {
    clearTimeout(timer);
    offAbort();
  }
}

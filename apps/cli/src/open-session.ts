import { CallTimeoutError, GatewayClient } from "@clawbridge/client";
import type { GatewayClientOptions } from "@clawbridge/client";
import type { HelloOk } from "@clawbridge/protocol";
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
 */
export async function openSession(
  connection: ResolvedConnection,
  extra: GatewayClientOptions = {},
  beforeConnect?: (client: GatewayClient) => void,
): Promise<Session> {
  const budget = connection.timeoutMs;
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
  try {
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CallTimeoutError("connect", budget, false, "connect")), budget);
    });
    const hello = await Promise.race([client.connect(), expired]);
    return { client, hello, connectMs: performance.now() - started };
  } catch (error) {
    await client.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

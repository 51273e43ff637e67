import type { ServerOptions as HttpsServerOptions } from "node:https";
import type { ConnectParams } from "@clawbridge/protocol";
import { gatewayError } from "@clawbridge/rpc-core";
import { createGatewayAuthenticator, GatewayServer, PairingStore } from "@clawbridge/server";
import type { ServerConnection, SharedSecretConfig } from "@clawbridge/server";

/** Options of {@link startTestGateway}. */
export interface TestGatewayOptions {
  /** Shared secret. Default token mode with {@link TEST_TOKEN}. */
  auth?: SharedSecretConfig;
  /** Silently approve loopback devices. Default true (as OpenClaw). */
  autoApproveLocal?: boolean;
  /** `policy.tickIntervalMs` (ms). Default 30000. */
  tickIntervalMs?: number;
  /** Serve wss:// with this TLS material. */
  tls?: HttpsServerOptions;
  /** Port (0 = any). */
  port?: number;
  /** Reuse a pairing store (e.g. across a restart). */
  pairing?: PairingStore;
  /** Override `hello-ok.policy.maxPayload` enforcement (bytes). */
  maxPayloadBytes?: number;
}

/** A running gateway for tests: the real server core with a few handlers. */
export interface TestGateway {
  readonly server: GatewayServer;
  readonly url: string;
  readonly port: number;
  readonly pairing: PairingStore;
  /** Every `connect` params the gateway received, in order. */
  readonly connects: ConnectParams[];
  /** Every request method the gateway served, in order. */
  readonly calls: { method: string; params: unknown }[];
  stop(): Promise<void>;
}

export const TEST_TOKEN = "tok-test-0123456789";

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Starts the server core (`@clawbridge/server`'s GatewayServer + OpenClaw's connect
 * authentication) on 127.0.0.1 with handlers:
 * * `health` (any role): `{ok:true, echo}`; `params.delayMs` delays the answer.
 * * `status` (read): `{}`; `node.list` (read): `{ts, nodes:[]}`.
 * * `agent` (write): two-phase — `accepted`, then `{status:"ok"}` after `params.delayMs`.
 * * `test.fail` (unknown ⇒ admin): answers an error whose message is `params.message`.
 */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const pairing = options.pairing ?? new PairingStore();
  const authenticator = createGatewayAuthenticator({
    sharedSecret: options.auth ?? { mode: "token", token: TEST_TOKEN },
    pairing,
    autoApproveLocal: options.autoApproveLocal ?? true,
  });
  const connects: ConnectParams[] = [];
  const calls: { method: string; params: unknown }[] = [];
  const server = new GatewayServer({
    authenticate: (connect, socket) => {
      connects.push(connect);
      return authenticator.authenticate(connect, socket);
    },
    tickIntervalMs: options.tickIntervalMs ?? 30_000,
    keepaliveIntervalMs: 0,
    ...(options.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: options.maxPayloadBytes }),
  });
  const record = (method: string, params: unknown): void => {
    calls.push({ method, params });
  };
  server.router.register("health", async ({ params, signal }) => {
    const p = params as { delayMs?: number; echo?: unknown };
    record("health", params);
    if (typeof p.delayMs === "number") await sleep(p.delayMs, signal);
    return { ok: true, echo: p.echo ?? null };
  });
  server.router.register("status", ({ params }) => {
    record("status", params);
    return { ok: true };
  });
  server.router.register("node.list", ({ params }) => {
    record("node.list", params);
    return { ts: Date.now(), nodes: [] };
  });
  server.router.register("agent", async ({ params, accept, signal }) => {
    const p = params as { delayMs?: number; idempotencyKey?: string };
    record("agent", params);
    accept({ runId: p.idempotencyKey ?? "run", acceptedAt: Date.now() });
    await sleep(p.delayMs ?? 20, signal);
    return { runId: p.idempotencyKey ?? "run", status: "ok", summary: "completed", result: { text: "done" } };
  });
  server.router.register("test.fail", ({ params }) => {
    const p = params as { message?: string; details?: unknown };
    record("test.fail", params);
    throw gatewayError("INVALID_REQUEST", p.message ?? "failed", p.details);
  });
  const listenOptions: { port: number; tls?: HttpsServerOptions } = { port: options.port ?? 0 };
  if (options.tls !== undefined) listenOptions.tls = options.tls;
  const { url, port } = await server.listen(listenOptions);
  return {
    server,
    url,
    port,
    pairing,
    connects,
    calls,
    stop: () => server.close({ graceMs: 200 }),
  };
}

/** The scopes the gateway granted the connection with this device id (or the only connection). */
export function connectionsOf(gateway: TestGateway): ServerConnection[] {
  return [...gateway.server.connections];
}

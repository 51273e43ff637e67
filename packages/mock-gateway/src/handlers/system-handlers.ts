import { Methods, OperatorScopes } from "@clawbridge/protocol";
import type { MockRuntime } from "../mock-runtime.js";

/** `health`, `status`, `system-presence`, `last-heartbeat`, `logs.tail`. */
export function registerSystemHandlers(runtime: MockRuntime): void {
  const { server, state } = runtime;
  server.router.register(
    Methods.Health,
    runtime.wrap("health", () => state.health({ modelRuntime: true })),
  );
  server.router.register(
    Methods.Status,
    runtime.wrap("status", ({ ctx }) => state.status(ctx.scopes.includes(OperatorScopes.ADMIN))),
  );
  server.router.register(
    Methods.SystemPresence,
    runtime.wrap("system-presence", () => state.presence()),
  );
  server.router.register(
    Methods.LastHeartbeat,
    runtime.wrap("last-heartbeat", () => state.lastHeartbeat),
  );
  server.router.register(
    Methods.LogsTail,
    runtime.wrap("logs.tail", ({ params }) => runtime.logs.tail(params.cursor, params.limit, params.maxBytes)),
  );
}

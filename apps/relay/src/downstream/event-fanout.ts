import type { GatewayEvent } from "@clawbridge/client";
import { GatewayEvents } from "@clawbridge/protocol";
import type { GatewayServer } from "@clawbridge/server";
import { canReceiveEvent } from "@clawbridge/server";
import type { RelayMetrics } from "../ops/relay-metrics.js";
import type { ClientPolicy } from "../policy/client-policy.js";
import type { PolicySet } from "../policy/policy-set.js";
import type { UpstreamPool } from "../upstream/upstream-pool.js";
import { RelaySession } from "./relay-session.js";

/**
 * Upstream events the relay never forwards: it runs its own `tick` for its clients
 * (their watchdogs measure the relay link), and an upstream `shutdown` is not the
 * relay's — clients stay connected while the relay reconnects upstream.
 */
const NOT_FORWARDED: ReadonlySet<string> = new Set([GatewayEvents.TICK, GatewayEvents.SHUTDOWN, GatewayEvents.CONNECT_CHALLENGE]);

/** What the fan-out needs from the relay. */
export interface EventFanoutDeps {
  readonly server: GatewayServer;
  readonly pool: UpstreamPool;
  readonly metrics: RelayMetrics;
  policies(): PolicySet;
  /** Effective scopes of a client on an upstream under the current policy. */
  scopesFor(policy: ClientPolicy, upstreamId: string): readonly string[];
}

/**
 * Fans each upstream event out to the clients of that upstream that may see it: the
 * gateway's event scope guards applied to the client's policy scopes (under the
 * current policy, so a reload narrows at once), then the client's `events` patterns
 * and `nodes`. Each client gets its own `seq`; slow clients drop events rather than
 * stall the others (OpenClaw's `dropIfSlow`).
 *
 * @returns a function that stops the fan-out
 */
export function startEventFanout(deps: EventFanoutDeps): () => void {
  const offs = [...deps.pool.links.values()].map((link) =>
    link.onEvent((event: GatewayEvent) => {
      if (NOT_FORWARDED.has(event.event)) return;
      const policies = deps.policies();
      const delivered = deps.server.broadcast(event.event, event.payload, {
        dropIfSlow: true,
        stateVersion: event.stateVersion,
        filter: (connection) => {
          const session = RelaySession.of(connection);
          if (session === undefined || session.upstreamId !== link.id) return false;
          const policy = policies.clients.get(session.clientId);
          if (policy === undefined) return false;
          return canReceiveEvent("operator", deps.scopesFor(policy, link.id), event.event) && policy.allowsEvent(event.event, event.payload);
        },
      });
      if (delivered > 0) deps.metrics.eventsForwarded.inc({ upstream: link.id }, delivered);
    }),
  );
  return () => {
    for (const off of offs) off();
  };
}

import type { RequestHandler } from "@clawbridge/rpc-core";
import type { GatewayServer, PairingStore, ServerConnection } from "@clawbridge/server";
import type { LogRing } from "./log-ring.js";
import type { MockState } from "./mock-state.js";
import type { NodeInvokeBroker } from "./node-invoke-broker.js";
import type { NodeRegistry } from "./node-registry.js";

/** @internal What the handler modules need from a {@link MockGateway}. */
export interface MockRuntime {
  readonly server: GatewayServer;
  readonly state: MockState;
  readonly nodes: NodeRegistry;
  readonly pairing: PairingStore;
  readonly logs: LogRing;
  readonly invokes: NodeInvokeBroker;
  /** Wraps a handler with the gateway's fault injection. */
  wrap<P, R>(method: string, handler: RequestHandler<ServerConnection, P, R>): RequestHandler<ServerConnection, P, R>;
  /** Announces node pairing changes (`node.pair.requested` / `node.pair.resolved`). */
  broadcast(event: string, payload: unknown): void;
}

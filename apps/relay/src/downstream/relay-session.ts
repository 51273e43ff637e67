import type { ServerConnection } from "@clawbridge/server";

const SESSION_KEY = "clawbridge.relay.session";

/** What the relay knows about one authenticated client connection. */
export class RelaySession {
  /** Client id (key under `clients:` in the config). */
  readonly clientId: string;
  /** The upstream this socket is routed to. */
  readonly upstreamId: string;
  /** Verified device id, when the client proved one. */
  readonly deviceId: string | undefined;
  /** `hello-ok.server.connId` of the socket. */
  readonly connId: string;
  /** One controller per request waiting upstream; aborted together when the client goes away. */
  readonly pending = new Set<AbortController>();

  constructor(init: { clientId: string; upstreamId: string; deviceId: string | undefined; connId: string }) {
    this.clientId = init.clientId;
    this.upstreamId = init.upstreamId;
    this.deviceId = init.deviceId;
    this.connId = init.connId;
  }

  /** Stops waiting for the upstream answers of this connection's requests (it closed: nobody can read them). */
  abandon(): void {
    for (const controller of this.pending) controller.abort();
    this.pending.clear();
  }

  /** Stores the session on its connection (`ServerConnection.state`). */
  attach(connection: ServerConnection): void {
    connection.state.set(SESSION_KEY, this);
  }

  /** The session of a connection, if the relay accepted it. */
  static of(connection: ServerConnection): RelaySession | undefined {
    const value = connection.state.get(SESSION_KEY);
    return value instanceof RelaySession ? value : undefined;
  }
}

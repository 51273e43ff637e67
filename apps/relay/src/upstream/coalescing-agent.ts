import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Duplex } from "node:stream";

/**
 * Makes every write to `socket` wait until the end of the current event-loop turn
 * (`setImmediate`), so the frames many clients' requests put on one pooled upstream
 * socket during a turn leave in one `writev` instead of one syscall each. `cork()` nests
 * (ws corks per frame too), `end()` uncorks fully, and a single write is delayed only
 * until the poll phase has handled the other ready sockets.
 */
export function coalesceWrites(socket: Duplex): void {
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  const write = socket.write;
  socket.write = function (this: Duplex, ...args: Parameters<Duplex["write"]>): boolean {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return write.apply(this, args);
  } as Duplex["write"];
}

/**
 * An agent for the upstream link's WebSocket upgrade whose sockets coalesce writes
 * (see {@link coalesceWrites}). TLS options (`ca`, the pin's `checkServerIdentity`)
 * reach `tls.connect` unchanged through the agent.
 */
export function coalescingAgent(secure: boolean): HttpAgent {
  const agent = secure ? new HttpsAgent() : new HttpAgent();
  const createConnection = agent.createConnection.bind(agent) as (...args: unknown[]) => Duplex;
  agent.createConnection = (...args: unknown[]): Duplex => {
    const socket = createConnection(...args);
    coalesceWrites(socket);
    return socket;
  };
  return agent;
}

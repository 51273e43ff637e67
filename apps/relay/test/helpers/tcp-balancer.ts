import { connect, createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";

/**
 * The smallest TCP load balancer: round robin over backends, skipping one that refuses
 * the connection. Stands for "any TCP/TLS load balancer" in front of relay replicas.
 */
export async function startTcpBalancer(backends: () => readonly number[]): Promise<{ port: number; picks: number[]; close: () => Promise<void> }> {
  let next = 0;
  const picks: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    const ports = backends();
    const attempt = (tries: number): void => {
      if (tries >= ports.length) {
        client.destroy();
        return;
      }
      const port = ports[next++ % ports.length] as number;
      const upstream = connect(port, "127.0.0.1");
      upstream.once("connect", () => {
        picks.push(port);
        sockets.add(upstream);
        upstream.on("close", () => sockets.delete(upstream));
        client.pipe(upstream).pipe(client);
        upstream.on("error", () => client.destroy());
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
      });
      upstream.once("error", () => attempt(tries + 1));
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    picks,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import { createServer } from "node:net";
import type { AddressInfo, Server } from "node:net";
import { MockGateway } from "@clawbridge/mock-gateway";
import type { MockGatewayOptions } from "@clawbridge/mock-gateway";

/** Starts a MockGateway on loopback port 0 with token auth. */
export async function startGateway(token: string, options: Partial<MockGatewayOptions> = {}): Promise<MockGateway> {
  const gateway = new MockGateway({ auth: { token }, server: { keepaliveIntervalMs: 0 }, ...options });
  await gateway.start();
  return gateway;
}

/** A plain TCP listener that counts connection attempts (proves "nothing was connected"). */
export async function countingServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    connections: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `predicate` every 10 ms until true, or fails after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

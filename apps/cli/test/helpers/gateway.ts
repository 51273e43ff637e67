import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { MockGateway } from "@clawbridge/mock-gateway";
import type { MockGatewayOptions } from "@clawbridge/mock-gateway";

/** The gateway token tests use; passed to the CLI through env/stdin/files, never argv. */
export const GW_TOKEN = "gw2-test-token-5f1c9a";
/** A different secret: the *local* gateway's token a worker node has in its environment. */
export const AMBIENT_TOKEN = "ambient-gw1-token-7d2e41";

/** Starts a MockGateway on loopback port 0 with token auth (options override). */
export async function startGateway(options: Partial<MockGatewayOptions> = {}): Promise<MockGateway> {
  const gateway = new MockGateway({ auth: { token: GW_TOKEN }, server: { keepaliveIntervalMs: 0 }, ...options });
  await gateway.start();
  return gateway;
}

/** A loopback port nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

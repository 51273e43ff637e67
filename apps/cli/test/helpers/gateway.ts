import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { MockGateway } from "@clawbridge/mock-gateway";
import type { MockGatewayOptions } from "@clawbridge/mock-gateway";
import { afterAll, beforeAll } from "vitest";
import { configDirLifecycle, fixtureValue } from "./cli.js";
import type { ConfigDirFixture } from "./cli.js";
import { startRecordingProxy } from "./recording-proxy.js";
import type { RecordingProxy } from "./recording-proxy.js";

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

/** Options of {@link useMockGatewayFixture}. */
export interface MockGatewayFixtureOptions {
  /** {@link startGateway}'s options, or a function computing them in `beforeAll`. */
  readonly gateway?: Partial<MockGatewayOptions> | (() => Promise<Partial<MockGatewayOptions>>) | undefined;
  /** Variables added to the clean env. Default `{ GW2_TOKEN: GW_TOKEN }` (what {@link MockGatewayFixture.target} names). */
  readonly env?: Record<string, string> | undefined;
  /** Also start a {@link RecordingProxy} in front of the gateway. */
  readonly proxy?: boolean | undefined;
}

/** A running mock gateway plus a private config dir and env; read the fields inside tests. */
export interface MockGatewayFixture extends ConfigDirFixture {
  readonly gateway: MockGateway;
  /** `["--url", url, "--token-env", "GW2_TOKEN"]`; `url` defaults to the gateway's. */
  target(url?: string): string[];
}

/**
 * The set-up most CLI test files share, as one `beforeAll`/`afterAll` pair: checks the bin
 * is built, creates a private config dir and clean env, starts a MockGateway (and with
 * `proxy: true` a recording proxy in front of it); stops them and removes the dir afterwards.
 */
export function useMockGatewayFixture(options: MockGatewayFixtureOptions & { readonly proxy: true }): MockGatewayFixture & { readonly proxy: RecordingProxy };
export function useMockGatewayFixture(options?: MockGatewayFixtureOptions): MockGatewayFixture;
export function useMockGatewayFixture(options: MockGatewayFixtureOptions = {}): MockGatewayFixture & { readonly proxy: RecordingProxy } {
  const configDir = configDirLifecycle({ env: options.env ?? { GW2_TOKEN: GW_TOKEN } });
  let gateway: MockGateway | undefined;
  let proxy: RecordingProxy | undefined;
  beforeAll(async () => {
    await configDir.start();
    const gatewayOptions = typeof options.gateway === "function" ? await options.gateway() : options.gateway;
    gateway = await startGateway(gatewayOptions);
    if (options.proxy === true) proxy = await startRecordingProxy(gateway.url);
  });
  afterAll(async () => {
    await proxy?.stop();
    await gateway?.stop({ graceMs: 100 });
    await configDir.stop();
  });
  const fixture = configDir.fixture;
  return {
    get dir() {
      return fixture.dir;
    },
    get env() {
      return fixture.env;
    },
    get gateway() {
      return fixtureValue(gateway, "the mock gateway");
    },
    get proxy() {
      return fixtureValue(proxy, "the recording proxy (started with { proxy: true })");
    },
    target(url?: string) {
      return ["--url", url ?? fixtureValue(gateway, "the mock gateway").url, "--token-env", "GW2_TOKEN"];
    },
  };
}

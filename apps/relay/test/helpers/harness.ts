import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayClient } from "@clawbridge/client";
import type { GatewayClientOptions } from "@clawbridge/client";
import { MockGateway } from "@clawbridge/mock-gateway";
import type { MockGatewayOptions } from "@clawbridge/mock-gateway";
import type { DestinationStream } from "pino";
import { hashToken } from "../../src/policy/policy-set.js";
import { parseConfigText } from "../../src/config/load-config.js";
import { Relay } from "../../src/relay.js";
import type { RelayOptions } from "../../src/relay.js";

/** A random secret. */
export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

/** A temp directory removed by `cleanup`. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "clawbridge-relay-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a secret file with mode 0600 (the client refuses group/world-readable secret files). */
export async function writeSecret(path: string, secret: string): Promise<void> {
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

/** A pino destination that keeps every line (parsed) in memory. */
export class CaptureStream implements DestinationStream {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  write(chunk: string): void {
    for (const line of chunk.split("\n")) {
      if (line.trim() === "") continue;
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  }
  /** Lines whose fields include `match`. */
  find(match: Record<string, unknown>): Record<string, unknown>[] {
    return this.lines.filter((line) => Object.entries(match).every(([key, value]) => line[key] === value));
  }
  get text(): string {
    return this.raw.join("\n");
  }
}

/** Starts a MockGateway with a token on loopback. */
export async function startUpstream(token: string, options: Partial<MockGatewayOptions> = {}): Promise<MockGateway> {
  const gateway = new MockGateway({ auth: { token }, ...options });
  await gateway.start();
  return gateway;
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A started relay with captured logs. */
export interface TestRelay {
  readonly relay: Relay;
  readonly audit: CaptureStream;
  readonly log: CaptureStream;
  /** `ws://127.0.0.1:<port>` + path. */
  url(path?: string): string;
  close(): Promise<void>;
}

/**
 * Starts a relay in-process from YAML text (written to `<dir>/relay.yaml` so reload
 * can re-read it), waiting until every upstream is ready unless `waitReady: false`.
 */
export async function startRelay(
  dir: string,
  yaml: string,
  options: { waitReady?: boolean; file?: string } & Partial<Omit<RelayOptions, "loaded">> = {},
): Promise<TestRelay> {
  const file = join(dir, options.file ?? "relay.yaml");
  await writeFile(file, yaml);
  const parsed = parseConfigText(yaml, file);
  if (!parsed.ok) throw new Error(`bad test config: ${parsed.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`);
  const audit = new CaptureStream();
  const log = new CaptureStream();
  const relay = await Relay.start({
    loaded: parsed.loaded,
    auditStream: audit,
    logStream: log,
    linkOptions: { pausedRetryMs: 200, backoff: { initialMs: 50, maxMs: 200 } },
    ...options,
  });
  if (options.waitReady !== false) await waitFor(() => relay.pool.ready, 10_000, "upstreams ready");
  return {
    relay,
    audit,
    log,
    url: (path = "") => `ws://127.0.0.1:${relay.port}${path}`,
    close: () => relay.close(),
  };
}

/** A relay client (a plain GatewayClient: the relay is a gateway to it). */
export function relayClient(url: string, token: string, configDir: string, options: GatewayClientOptions = {}): GatewayClient {
  return new GatewayClient({ url, token, device: "never", configDir, tickWatchdog: false, ...options });
}

/** The standard config: one upstream `gw2`, and the given clients section (YAML, indented two spaces). */
export function relayYaml(input: {
  upstreams: Record<string, { url: string; tokenFile: string; extra?: string }>;
  clients: string;
  stateDir: string;
  extra?: string;
}): string {
  const upstreams = Object.entries(input.upstreams)
    .map(([id, upstream]) => `  ${id}:\n    url: ${upstream.url}\n    token: { file: ${upstream.tokenFile} }\n${upstream.extra ?? ""}`)
    .join("");
  return `listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
stateDir: ${input.stateDir}
${input.extra ?? ""}
upstreams:
${upstreams}
clients:
${input.clients}`;
}

export { hashToken };

/** The relay's Prometheus text (`/metrics` on the admin listener). */
export async function metricsText(relay: TestRelay): Promise<string> {
  return (await fetch(`${relay.relay.adminUrl}/metrics`)).text();
}

/** Value of one Prometheus sample, e.g. `metric{a="b"}` (0 when absent). */
export function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const parts = line.slice(name.length + 1, line.indexOf("}")).split(",");
    if (wanted.every((label) => parts.includes(label))) return Number(line.slice(line.indexOf("}") + 1).trim());
  }
  return 0;
}

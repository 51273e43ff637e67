import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Relay } from "../src/relay.js";
import { parseConfigText } from "../src/config/load-config.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockGateway } from "@clawbridge/mock-gateway";
import { CaptureStream, hashToken, newToken, relayClient, relayYaml, startRelay, startUpstream, tempDir, waitFor, writeSecret } from "./helpers/harness.js";

const UPSTREAM_TOKEN = newToken();
const CLIENT_TOKEN = newToken();

describe("operations: admin endpoints and the audit file", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gateway: MockGateway;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    gateway = await startUpstream(UPSTREAM_TOKEN);
    await writeSecret(join(dir, "gw2.token"), UPSTREAM_TOKEN);
  });
  afterAll(async () => {
    await gateway?.stop();
    await cleanup?.();
  });

  it("serves /healthz, /readyz and /metrics, and appends the audit log to its file (flushed on close)", async () => {
    const yaml = relayYaml({
      stateDir: join(dir, "state"),
      // Relative to the config file, not the process cwd.
      extra: "log: { level: warn, audit: { file: logs/audit.jsonl } }",
      upstreams: { gw2: { url: gateway.url, tokenFile: join(dir, "gw2.token") } },
      clients: `  wn1:\n    tokenSha256: ${hashToken(CLIENT_TOKEN)}\n    upstreams: [gw2]\n    allow: [health]\n`,
    });
    const parsed = parseConfigText(yaml, join(dir, "relay.yaml"));
    if (!parsed.ok) throw new Error("bad config");
    const relay = await Relay.start({ loaded: parsed.loaded, logStream: new CaptureStream() });
    try {
      expect((await fetch(`${relay.adminUrl}/healthz`)).status).toBe(200);
      await waitFor(async () => (await fetch(`${relay.adminUrl}/readyz`)).status === 200, 10_000, "ready");
      const ready = (await (await fetch(`${relay.adminUrl}/readyz`)).json()) as Record<string, unknown>;
      expect(ready).toMatchObject({ ready: true, draining: false, upstreams: { gw2: { state: "open", ready: true, grantedScopes: ["operator.read"] } } });
      expect(JSON.stringify(ready)).not.toContain(UPSTREAM_TOKEN);
      expect((await fetch(`${relay.adminUrl}/nope`)).status).toBe(404);

      const client = relayClient(`${relay.url}/gw/gw2`, CLIENT_TOKEN, dir);
      await client.connect();
      await client.call("health", {});
      const metrics = await fetch(`${relay.adminUrl}/metrics`);
      expect(metrics.headers.get("content-type")).toContain("text/plain");
      const text = await metrics.text();
      expect(text).toContain('clawbridge_relay_client_connections{upstream="gw2"} 1');
      expect(text).toContain('clawbridge_relay_upstream_up{upstream="gw2"} 1');
      // Labelled per configured upstream from the start, before any loss.
      expect(text).toContain('clawbridge_relay_upstream_disconnects_total{upstream="gw2"} 0');
      expect(text).toMatch(/clawbridge_relay_client_bytes_total\{direction="in"\} [1-9]/);
      expect(text).toMatch(/clawbridge_relay_client_bytes_total\{direction="out"\} [1-9]/);
      expect(text).toContain("process_resident_memory_bytes");
      await client.close();
    } finally {
      await relay.close();
    }
    // Created owner-only: audit lines are sensitive metadata.
    expect((await stat(join(dir, "logs", "audit.jsonl"))).mode & 0o777).toBe(0o600);
    const lines = (await readFile(join(dir, "logs", "audit.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line["event"])).toEqual(["connect", "request", "disconnect"]);
    expect(lines[1]).toMatchObject({ client: "wn1", upstream: "gw2", method: "health", decision: "allow", outcome: "ok" });
  });

  it("a reload that needs scopes the upstream link did not request warns, names them in /readyz, and clears them when narrowed again", async () => {
    const yaml = (allow: string): string =>
      relayYaml({
        stateDir: join(dir, "state"),
        upstreams: { gw2: { url: gateway.url, tokenFile: join(dir, "gw2.token") } },
        clients: `  wn1:\n    tokenSha256: ${hashToken(CLIENT_TOKEN)}\n    upstreams: [gw2]\n    allow: ${allow}\n    commands: ["*"]\n`,
      });
    const relay = await startRelay(dir, yaml("[health]"), { file: "scopes.yaml" });
    const readyz = async (): Promise<Record<string, unknown>> => (await (await fetch(`${relay.relay.adminUrl}/readyz`)).json()) as Record<string, unknown>;
    try {
      expect(await readyz()).toMatchObject({ ready: true, upstreams: { gw2: { requestedScopes: ["operator.read"], scopesPendingRestart: [] } } });
      await writeFile(join(dir, "scopes.yaml"), yaml("[health, node.invoke]"));
      expect(await relay.relay.reload()).toMatchObject({ ok: true });
      const warning = relay.log.find({ level: "warn", upstream: "gw2" }).at(-1);
      expect(warning).toMatchObject({ scopesPendingRestart: ["operator.write"], requestedScopes: ["operator.read"] });
      expect(String(warning?.["msg"])).toMatch(/upstream gw2: .*needs scopes the relay did not request \(operator\.write\).*restart/);
      // Still serving what it can (not pulled out of rotation), and the detail says what is missing.
      expect(await readyz()).toMatchObject({ ready: true, upstreams: { gw2: { requestedScopes: ["operator.read"], scopesPendingRestart: ["operator.write"] } } });

      await writeFile(join(dir, "scopes.yaml"), yaml("[health]"));
      expect(await relay.relay.reload()).toMatchObject({ ok: true });
      expect(await readyz()).toMatchObject({ upstreams: { gw2: { scopesPendingRestart: [] } } });
    } finally {
      await relay.close();
    }
  });
});

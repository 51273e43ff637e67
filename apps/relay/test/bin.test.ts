import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { MockGateway } from "@clawbridge/mock-gateway";
import { isGatewayRequestError } from "@clawbridge/rpc-core";
import { generate } from "selfsigned";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashToken, newToken, relayClient, relayYaml, startUpstream, tempDir, waitFor, writeSecret } from "./helpers/harness.js";
import { rawConnect } from "./helpers/raw-client.js";
import { spawnRelay } from "./helpers/relay-process.js";
import type { RelayProcess } from "./helpers/relay-process.js";

const UPSTREAM_TOKEN = newToken();
const CLIENT_TOKEN = newToken();

async function metric(admin: string, pattern: RegExp): Promise<number | undefined> {
  const text = await (await fetch(`${admin}/metrics`)).text();
  const match = pattern.exec(text);
  return match === null ? undefined : Number(match[1]);
}

describe("the clawbridge-relay bin (real child process, signals)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gateway: MockGateway;
  let relay: RelayProcess | undefined;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    gateway = await startUpstream(UPSTREAM_TOKEN);
    await writeSecret(join(dir, "gw2.token"), UPSTREAM_TOKEN);
  });
  afterEach(async () => {
    relay?.kill();
    await relay?.exited;
    relay = undefined;
    await gateway.stop();
    await cleanup();
  });

  const config = (allow: string, extra = ""): string =>
    relayYaml({
      stateDir: join(dir, "state"),
      upstreams: { gw2: { url: gateway.url, tokenFile: join(dir, "gw2.token") } },
      extra,
      clients: `  wn1:\n    tokenSha256: ${hashToken(CLIENT_TOKEN)}\n    upstreams: [gw2]\n    allow: ${allow}\n`,
    });

  async function start(file: string): Promise<{ url: string; admin: string }> {
    relay = spawnRelay(["--config", file]);
    const urls = await relay.ready;
    await waitFor(async () => (await fetch(`${urls.admin}/readyz`)).status === 200, 10_000, "relay ready");
    return urls;
  }

  it("SIGHUP with a broken file keeps serving the old policy; a valid file swaps it in", async () => {
    const file = join(dir, "relay.yaml");
    await writeFile(file, config("[health]"));
    const { url, admin } = await start(file);
    const client = relayClient(`${url}/gw/gw2`, CLIENT_TOKEN, dir);
    try {
      await client.connect();
      await expect(client.call("health", {})).resolves.toBeDefined();
      const before = await client.call("status", {}).catch((error: unknown) => error);
      expect(isGatewayRequestError(before) && before.details).toMatchObject({ rule: "methodNotAllowed" });

      // An unknown key, reported at its own line and column.
      const broken = config("[health, status]").replace("    allow:", "    alow:");
      const line = broken.split("\n").findIndex((text) => text.startsWith("    alow:")) + 1;
      await writeFile(file, broken);
      relay?.child.kill("SIGHUP");
      const failed = await relay!.line((line) => line["msg"] === "policy reload failed; still serving the previous policy");
      expect(JSON.stringify(failed["issues"])).toContain(`${file}:${line}:5: clients.wn1.alow: Unrecognized key`);
      await expect(client.call("health", {})).resolves.toBeDefined();
      const still = await client.call("status", {}).catch((error: unknown) => error);
      expect(isGatewayRequestError(still) && still.details).toMatchObject({ rule: "methodNotAllowed" });
      expect(await metric(admin, /clawbridge_relay_policy_reloads_total\{outcome="invalid"\} (\d+)/)).toBe(1);

      await writeFile(file, config("[health, status]"));
      relay?.child.kill("SIGHUP");
      await relay!.line((line) => line["msg"] === "policy reloaded");
      // Same connection, new policy.
      await expect(client.call("status", {})).resolves.toBeDefined();
      expect(client.state).toBe("open");
    } finally {
      await client.close();
    }
    relay?.child.kill("SIGTERM");
    expect(await relay?.exited).toBe(0);
  });

  it("SIGTERM drains: stops accepting, finishes in-flight requests, then closes clients 1012 and exits 0", async () => {
    // An upstream method that answers only when the test says so: the request is surely in flight during the drain.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    gateway.server.router.register("test.hold", async () => {
      await held;
      return { held: false };
    });
    const file = join(dir, "relay.yaml");
    const yaml = relayYaml({
      stateDir: join(dir, "state"),
      extra: "limits: { drainTimeoutMs: 20000 }",
      upstreams: { gw2: { url: gateway.url, tokenFile: join(dir, "gw2.token"), extra: "    scopes: [operator.admin]\n" } },
      clients: `  wn1:\n    tokenSha256: ${hashToken(CLIENT_TOKEN)}\n    upstreams: [gw2]\n    allow: [health, test.hold]\n`,
    });
    await writeFile(file, yaml);
    const { url, admin } = await start(file);
    const raw = await rawConnect(`${url}/gw/gw2`, CLIENT_TOKEN);
    const slow = raw.request("r1", "test.hold", {});
    await waitFor(async () => (await metric(admin, /clawbridge_relay_requests_in_flight (\d+)/)) === 1, 5_000, "request in flight");
    relay?.child.kill("SIGTERM");
    await relay!.line((line) => line["msg"] === "draining");
    // Draining: not ready, no new connections, the open socket stays.
    await waitFor(async () => (await fetch(`${admin}/readyz`).then((res) => res.status, () => 0)) === 503, 5_000, "readyz 503");
    await expect(rawConnect(`${url}/gw/gw2`, CLIENT_TOKEN)).rejects.toThrow();
    expect(raw.socket.readyState).toBe(raw.socket.OPEN);
    // The request that was in flight completes normally…
    release();
    expect(await slow).toMatchObject({ id: "r1", ok: true, payload: { held: false } });
    // …then the client hears shutdown and the socket closes 1012.
    expect(await raw.closed).toEqual({ code: 1012, reason: "service restart" });
    expect(raw.frames.some((frame) => frame["event"] === "shutdown")).toBe(true);
    expect(await relay?.exited).toBe(0);
  });

  it("a listener that cannot bind (client or admin port in use) exits 1 promptly, without ever connecting upstream", async () => {
    // A stand-in upstream that counts TCP connections: a relay that fails to start must not reach it.
    let upstreamConnections = 0;
    const upstream = createServer((socket) => {
      upstreamConnections += 1;
      socket.destroy();
    });
    const busy = createServer();
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    const busyPort = (busy.address() as AddressInfo).port;
    try {
      for (const [listen, admin] of [
        [busyPort, 0],
        [0, busyPort],
      ] as const) {
        const file = join(dir, "relay.yaml");
        const yaml = relayYaml({
          stateDir: join(dir, "state"),
          upstreams: { gw2: { url: `ws://127.0.0.1:${upstreamPort}`, tokenFile: join(dir, "gw2.token") } },
          clients: `  wn1:\n    tokenSha256: ${hashToken(CLIENT_TOKEN)}\n    upstreams: [gw2]\n    allow: [health]\n`,
        })
          .replace("listen: { host: 127.0.0.1, port: 0 }", `listen: { host: 127.0.0.1, port: ${listen} }`)
          .replace("admin: { host: 127.0.0.1, port: 0 }", `admin: { host: 127.0.0.1, port: ${admin} }`);
        await writeFile(file, yaml);
        relay = spawnRelay(["--config", file]);
        const failed = await relay.line((line) => String(line["msg"]).includes("cannot start"));
        const failedAt = Date.now();
        expect(failed).toMatchObject({ level: "fatal", code: "EADDRINUSE", setting: listen === busyPort ? "listen" : "admin" });
        expect(await relay.exited).toBe(1);
        // Everything is closed: the process ends on its own, not by main.ts's 2 s fallback timer.
        expect(Date.now() - failedAt).toBeLessThan(1_500);
        relay = undefined;
      }
      expect(upstreamConnections).toBe(0);
    } finally {
      upstream.close();
      busy.close();
    }
  });

  it("logs a start-up failure as a JSON line naming the setting and the file (garbage cert or key)", async () => {
    const pem = await generate([{ name: "commonName", value: "relay" }], { keyType: "ec", algorithm: "sha256" });
    await writeFile(join(dir, "good.crt"), pem.cert);
    await writeFile(join(dir, "good.key"), pem.private);
    await writeFile(join(dir, "garbage.pem"), "-----BEGIN GARBAGE-----\nnot pem\n");
    for (const [cert, key, setting, kind] of [
      ["garbage.pem", "good.key", "listen.tls.cert", "is not a PEM certificate"],
      ["good.crt", "garbage.pem", "listen.tls.key", "is not a PEM private key"],
    ] as const) {
      const file = join(dir, "relay.yaml");
      await writeFile(file, config("[health]").replace("listen: { host: 127.0.0.1, port: 0 }", `listen: { host: 127.0.0.1, port: 0, tls: { cert: ${cert}, key: ${key} } }`));
      relay = spawnRelay(["--config", file]);
      expect(await relay.exited).toBe(1);
      const failed = relay.lines.find((line) => String(line["msg"]).includes("cannot start"));
      expect(failed).toMatchObject({ level: "fatal", setting, file: join(dir, "garbage.pem") });
      expect(failed).not.toHaveProperty("raw");
      expect(String(failed?.["msg"])).toBe(`cannot start: ${setting}: ${join(dir, "garbage.pem")} ${kind} (no BEGIN CERTIFICATE block)`.replace(" private key (no BEGIN CERTIFICATE block)", " private key"));
      expect(relay.lines.filter((line) => line["raw"] === true)).toEqual([]);
      relay = undefined;
    }
  });

  it("exits 2 with file:line:col when the config is invalid", async () => {
    const file = join(dir, "relay.yaml");
    await writeFile(file, config("[health]").replace("port: 0 }", "port: nope }"));
    relay = spawnRelay(["--config", file]);
    expect(await relay.exited).toBe(2);
    expect(relay.lines.map((line) => line["msg"]).join("\n")).toMatch(new RegExp(`${file.replace(/[.]/g, "\\.")}:1:\\d+: listen\\.port`));
  });
});

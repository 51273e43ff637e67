import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GatewayClient,
  REDACTED,
  RemoteStore,
  resolveRemote,
  resolveSecret,
} from "../src/index.js";
import type { ClientLogger, GatewayClientOptions } from "../src/index.js";
import { helloPayload, startScriptedGateway } from "./helpers/scripted-gateway.js";
import type { ScriptedGateway, ScriptedSocket } from "./helpers/scripted-gateway.js";
import { startTestGateway } from "./helpers/test-gateway.js";
import type { TestGateway } from "./helpers/test-gateway.js";
import { tempConfigDir } from "./helpers/temp-config.js";

const TOKEN = "CANARY-token-9f8e7d6c5b4a3210";
const PASSWORD = "CANARY-password-1a2b3c4d5e6f";
const DEVICE_TOKEN = "CANARY-devtok-55aa66bb77cc";
const ISSUED = "CANARY-issued-devtok-0ddba11";
const SECRETS = [TOKEN, PASSWORD, DEVICE_TOKEN, ISSUED];

/** Every way an error can be looked at: message, stack, String, JSON, enumerable props, inspect, cause chain. */
function renderings(error: unknown, depth = 0): string[] {
  if (error === null || typeof error !== "object" || depth > 4) return [String(error)];
  const out: string[] = [String(error), inspect(error, { depth: 6, showHidden: false })];
  try {
    out.push(JSON.stringify(error) ?? "");
  } catch {
    out.push("<unserialisable>");
  }
  const record = error as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    try {
      out.push(`${key}=${JSON.stringify(record[key]) ?? String(record[key])}`);
    } catch {
      out.push(`${key}=${String(record[key])}`);
    }
  }
  if (error instanceof Error) {
    out.push(error.message, error.stack ?? "");
    if (error.cause !== undefined) out.push(...renderings(error.cause, depth + 1));
  }
  return out;
}

function expectNoSecret(label: string, error: unknown): void {
  expect(error, `${label}: expected a failure`).toBeDefined();
  const text = renderings(error).join("\n");
  for (const secret of SECRETS) expect(text.includes(secret), `${label}: leaked ${secret}`).toBe(false);
}

describe("secret-leak scan", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const logLines: string[] = [];
  const logger: ClientLogger = {
    debug: (message, fields) => logLines.push(`debug ${message} ${JSON.stringify(fields)}`),
    info: (message, fields) => logLines.push(`info ${message} ${JSON.stringify(fields)}`),
    warn: (message, fields) => logLines.push(`warn ${message} ${JSON.stringify(fields)}`),
    error: (message, fields) => logLines.push(`error ${message} ${JSON.stringify(fields)}`),
  };
  const failures: { label: string; error: unknown }[] = [];
  const gateways: (TestGateway | ScriptedGateway)[] = [];

  /** Runs `action`, which must fail; records the error for the scan. */
  async function fail(label: string, action: () => Promise<unknown>): Promise<unknown> {
    let error: unknown;
    try {
      await action();
    } catch (caught) {
      error = caught;
    }
    failures.push({ label, error });
    return error;
  }

  const base = (): GatewayClientOptions => ({ token: TOKEN, password: PASSWORD, configDir: dir, logger });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempConfigDir());
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await cleanup();
  });

  it("triggers many failure modes with distinctive secrets and finds them in no error, property or log line", async () => {
    // 1. Real server core: wrong token, then a stale explicit device token.
    const real = await startTestGateway({ auth: { mode: "token", token: "the-real-token-xyz" }, autoApproveLocal: false });
    gateways.push(real);
    await fail("token mismatch", () => new GatewayClient({ ...base(), url: real.url }).connect());
    await fail("device token mismatch / pairing", () =>
      new GatewayClient({ ...base(), url: real.url, device: "always", deviceToken: DEVICE_TOKEN, credentialSlot: "remote-leak" }).connect(),
    );
    await fail("pairing required", () =>
      new GatewayClient({ ...base(), token: "the-real-token-xyz", url: real.url, device: "always", credentialSlot: "remote-leak2" }).connect(),
    );
    const pairing = failures.at(-1)?.error as { name?: string } | undefined;
    expect(pairing?.name).toBe("PairingRequiredError");

    // 2. A hostile gateway that echoes every secret it sees into errors, details and close reasons.
    const hostile = await startScriptedGateway(async (socket: ScriptedSocket) => {
      socket.challenge();
      const connect = await socket.next();
      const params = JSON.stringify(connect["params"]);
      const mode = (connect["params"] as { client?: { displayName?: string } }).client?.displayName ?? "reject";
      if (mode === "reject") {
        socket.send({
          type: "res",
          id: connect["id"],
          ok: false,
          error: { code: "INVALID_REQUEST", message: `bad credentials ${TOKEN} / ${PASSWORD}`, details: { code: "AUTH_TOKEN_MISMATCH", echo: params, nested: [{ pw: PASSWORD }] } },
        });
        socket.close(1008, `no ${TOKEN}`.slice(0, 100));
        return;
      }
      socket.send({
        type: "res",
        id: connect["id"],
        ok: true,
        payload: helloPayload({ auth: { role: "operator", scopes: ["operator.read"], deviceToken: ISSUED } }),
      });
      for (;;) {
        const request = await socket.next(30_000);
        if (mode === "close") {
          socket.close(4001, `client invalidated: ${ISSUED}`);
          return;
        }
        socket.send({
          type: "res",
          id: request["id"],
          ok: false,
          error: { code: "UNAVAILABLE", message: `echo ${ISSUED} ${TOKEN}`, details: { again: ISSUED, params: request["params"] } },
        });
      }
    });
    gateways.push(hostile);
    await fail("hostile connect rejection", () => new GatewayClient({ ...base(), url: hostile.url }).connect());
    const echoingClient = new GatewayClient({ ...base(), url: hostile.url, client: { displayName: "error" } });
    await fail("hostile request error", () => echoingClient.call("health"));
    await echoingClient.close();
    const closingClient = new GatewayClient({ ...base(), url: hostile.url, client: { displayName: "close" } });
    await fail("hostile close reason", () => closingClient.call("health"));
    await closingClient.close();
    // The hostile gateway really did echo the secrets: redaction (not luck) kept them out.
    const hostileReject = failures.find((f) => f.label === "hostile connect rejection")?.error as Error;
    expect(hostileReject.message).toContain(REDACTED);

    // 3. Transport and handshake failures.
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await fail("connection refused", () => new GatewayClient({ ...base(), url: `ws://127.0.0.1:${closedPort}` }).connect());
    const silent = await startScriptedGateway(() => undefined);
    gateways.push(silent);
    await fail("challenge timeout", () => new GatewayClient({ ...base(), url: silent.url, challengeTimeoutMs: 50 }).connect());
    await fail("one-shot budget", () => GatewayClient.callOnce({ ...base(), url: silent.url }, "health", {}, { timeoutMs: 80 }));
    const mute = await startScriptedGateway(async (socket) => {
      socket.challenge();
      await socket.next();
    });
    gateways.push(mute);
    await fail("hello timeout", () => new GatewayClient({ ...base(), url: mute.url, helloTimeoutMs: 50 }).connect());

    // 4. Request-level failures on a healthy gateway.
    const healthy = await startTestGateway({ auth: { mode: "token", token: TOKEN }, maxPayloadBytes: 2_048 });
    gateways.push(healthy);
    const client = new GatewayClient({ ...base(), url: healthy.url, deviceToken: DEVICE_TOKEN });
    await client.connect();
    await fail("request timeout (sent)", () => client.call("health", { delayMs: 2_000 }, { timeoutMs: 30 }));
    await fail("payload too large", () => client.call("health", { echo: "x".repeat(4_000) }));
    await fail("gateway error", () => client.call("test.fail", { message: "nope" }));
    await fail("missing scope", () => client.call("node.invoke", { nodeId: "n", command: "c", idempotencyKey: "k" }));
    await client.close();
    await fail("call after close", () => client.call("health"));
    await fail("queued timeout", async () => {
      const reconnecting = new GatewayClient({ ...base(), url: `ws://127.0.0.1:${closedPort}`, reconnect: { initialMs: 10, maxMs: 20 } });
      try {
        await reconnecting.call("health", {}, { timeoutMs: 60 });
      } finally {
        await reconnecting.close();
      }
    });

    // 5. Local refusals and configuration errors.
    await fail("scope ceiling", () =>
      GatewayClient.callOnce({ ...base(), url: healthy.url, scopeCeiling: ["operator.read"] }, "node.invoke", { nodeId: "n" }),
    );
    await fail("credentials in URL", async () => new GatewayClient({ ...base(), url: `ws://user:${TOKEN}@127.0.0.1:1` }));
    await fail("plaintext to public host", async () => new GatewayClient({ ...base(), url: "ws://203.0.113.9:18789" }));
    await fail("secret command", () =>
      resolveSecret({ kind: "command", command: [process.execPath, "-e", `process.stdout.write(${JSON.stringify(TOKEN)}); process.exit(2)`, TOKEN] }),
    );
    const remotes = new RemoteStore({ configDir: dir });
    await remotes.add("leaky", { url: "wss://gw2.example.com", auth: { tokenEnv: "LEAKY_TOKEN" } });
    await fail("missing profile secret", () => resolveRemote("leaky", { configDir: dir, env: { OPENCLAW_GATEWAY_TOKEN: TOKEN } }));
    await fail("invalid profile", () => remotes.add("bad", { url: "wss://x", token: TOKEN } as never));

    // 6. TLS pin mismatch.
    const pem = await generate([{ name: "commonName", value: "x" }], { keyType: "ec", algorithm: "sha256" });
    const { createServer: createHttps } = await import("node:https");
    const tlsServer = createHttps({ key: pem.private, cert: pem.cert });
    await new Promise<void>((resolve) => tlsServer.listen(0, "127.0.0.1", resolve));
    const tlsPort = (tlsServer.address() as AddressInfo).port;
    const wrongPin = "11".repeat(32);
    await fail("tls pin mismatch", () =>
      GatewayClient.callOnce({ ...base(), url: `wss://127.0.0.1:${tlsPort}`, tlsFingerprint: wrongPin }, "health"),
    );
    tlsServer.closeAllConnections();
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));

    // The scan.
    expect(failures.length).toBeGreaterThanOrEqual(20);
    for (const { label, error } of failures) expectNoSecret(label, error);
    expect(logLines.length).toBeGreaterThan(10);
    const logText = logLines.join("\n");
    for (const secret of SECRETS) expect(logText.includes(secret), `log leaked ${secret}`).toBe(false);
  });
});

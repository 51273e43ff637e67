import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { runCli, singleJson } from "./helpers/cli.js";
import { unusedPort, useMockGatewayFixture } from "./helpers/gateway.js";

interface Envelope {
  ok: false;
  error: Record<string, unknown> & { type: string; code: string; message: string };
  gateway?: { url: string; urlSource: string };
}

describe("exit codes 0-6 and the --json envelope", () => {
  const fx = useMockGatewayFixture();
  const call = (args: string[], extraEnv: Record<string, string> = {}) =>
    runCli(["gateway", "call", ...args], { env: { ...fx.env, ...extraEnv } });

  it("0: success prints the payload (one JSON document with --json)", async () => {
    const result = await call(["health", ...fx.target(), "--json"]);
    expect(result.code).toBe(0);
    expect(singleJson(result.stdout)).toMatchObject({ ok: true });
    expect(result.stderr).toBe("");
  });

  it("1: the gateway answered an error -> gateway_request_error with code, retryable, retryAfterMs", async () => {
    fx.gateway.faults.set("status", { error: { code: "UNAVAILABLE", message: "gateway busy", retryable: true, retryAfterMs: 750 }, times: 2 });
    const json = await call(["status", ...fx.target(), "--json"]);
    expect(json.code).toBe(1);
    expect(singleJson(json.stdout)).toEqual({
      ok: false,
      error: { type: "gateway_request_error", code: "UNAVAILABLE", message: "gateway busy", retryable: true, retryAfterMs: 750 },
    });
    const human = await call(["status", ...fx.target()]);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe("");
    const lines = human.stderr.trim().split("\n");
    expect(lines[0]).toBe("Gateway call failed: gateway busy");
    expect(lines[1]).toMatch(/^hint: .*750 ms/);
  });

  it("1: an unknown method is the gateway's INVALID_REQUEST", async () => {
    const result = await call(["nope.x", ...fx.target(), "--json"]);
    expect(result.code).toBe(1);
    expect((singleJson(result.stdout) as Envelope).error).toMatchObject({ type: "gateway_request_error", code: "INVALID_REQUEST", message: "unknown method: nope.x", retryable: false });
  });

  it("2: a bad flag is a usage error (envelope with --json, commander's message otherwise)", async () => {
    const json = await call(["health", "--bogus", "--json"]);
    expect(json.code).toBe(2);
    expect((singleJson(json.stdout) as Envelope).error).toMatchObject({ type: "usage_error", message: expect.stringContaining("--bogus") as unknown });
    const human = await call(["health", "--bogus"]);
    expect(human.code).toBe(2);
    expect(human.stdout).toBe("");
    expect(human.stderr).toContain("unknown option '--bogus'");
  });

  it("2: an unknown remote is a usage error", async () => {
    const result = await call(["health", "--remote", "nowhere", "--json"]);
    expect(result.code).toBe(2);
    expect((singleJson(result.stdout) as Envelope).error).toMatchObject({ type: "usage_error", code: "UNKNOWN_REMOTE" });
  });

  it("2: missing credentials fail before connecting (gateway_credentials_required)", async () => {
    const json = await call(["health", "--url", fx.gateway.url, "--json"]);
    expect(json.code).toBe(2);
    const envelope = singleJson(json.stdout) as Envelope;
    expect(envelope.error.type).toBe("gateway_credentials_required");
    expect(envelope.error.message).toContain("gateway health requires credentials before opening a websocket");
    const human = await call(["health", "--token-env", "UNSET_VARIABLE", "--url", fx.gateway.url]);
    expect(human.code).toBe(2);
    expect(human.stderr).toContain("environment variable UNSET_VARIABLE is not set or empty");
  });

  it("3: connection refused -> gateway_transport_error kind connect, with the target", async () => {
    const port = await unusedPort();
    const json = await call(["health", "--url", `ws://127.0.0.1:${port}`, "--token-env", "GW2_TOKEN", "--json"]);
    expect(json.code).toBe(3);
    expect(singleJson(json.stdout)).toEqual({
      ok: false,
      error: { type: "gateway_transport_error", kind: "connect", code: "ECONNREFUSED", message: `Gateway not reachable at ws://127.0.0.1:${port} (ECONNREFUSED).` },
      gateway: { url: `ws://127.0.0.1:${port}`, urlSource: "cli --url" },
    });
    const human = await call(["health", "--url", `ws://127.0.0.1:${port}`, "--token-env", "GW2_TOKEN"]);
    expect(human.code).toBe(3);
    expect(human.stderr.trim()).toBe(`Gateway call failed: Gateway not reachable at ws://127.0.0.1:${port} (ECONNREFUSED).`);
  });

  it("3: plaintext ws:// to a public address is refused before connecting", async () => {
    const result = await call(["health", "--url", "ws://203.0.113.7:18789", "--token-env", "GW2_TOKEN", "--json"]);
    expect(result.code).toBe(3);
    expect((singleJson(result.stdout) as Envelope).error).toMatchObject({ type: "gateway_transport_error", kind: "insecure", code: "INSECURE_PLAINTEXT" });
  });

  it("3: a rejected WebSocket upgrade", async () => {
    const http = createServer((_req, res) => {
      res.writeHead(403);
      res.end();
    });
    http.on("upgrade", (_req, socket) => socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const port = (http.address() as AddressInfo).port;
    try {
      const result = await call(["health", "--url", `ws://127.0.0.1:${port}`, "--token-env", "GW2_TOKEN", "--json"]);
      expect(result.code).toBe(3);
      expect((singleJson(result.stdout) as Envelope).error).toMatchObject({ kind: "connect", code: "UPGRADE_REJECTED", details: { httpStatus: 403 } });
    } finally {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });

  it("4: a wrong token is a connect rejection (phase connect, details.code)", async () => {
    const json = await call(["health", "--url", fx.gateway.url, "--token-env", "WRONG", "--json"], { WRONG: "not-the-token" });
    expect(json.code).toBe(4);
    const envelope = singleJson(json.stdout) as Envelope;
    expect(envelope.error).toMatchObject({ type: "gateway_request_error", code: "INVALID_REQUEST", phase: "connect", retryable: false, details: { code: "AUTH_TOKEN_MISMATCH" } });
    expect(json.stdout).not.toContain("not-the-token");
    const human = await call(["health", "--url", fx.gateway.url, "--token-env", "WRONG"], { WRONG: "not-the-token" });
    expect(human.code).toBe(4);
    expect(human.stderr).toMatch(/^Gateway call failed: gateway rejected connect: unauthorized/);
    expect(human.stderr).toContain("hint: ");
  });

  it("5: a request the gateway never answers times out, saying it was sent", async () => {
    fx.gateway.faults.set("last-heartbeat", { drop: true, times: 2 });
    // A budget no loopback connect exhausts, so the request is always sent first.
    const json = await call(["last-heartbeat", ...fx.target(), "--timeout", "4000", "--json"]);
    expect(json.code).toBe(5);
    const envelope = singleJson(json.stdout) as Envelope;
    expect(envelope.error).toMatchObject({ type: "gateway_transport_error", kind: "timeout", code: "TIMEOUT", requestSent: true, timeoutMs: 4000 });
    expect(envelope.error.message).toContain("request was sent");
    const human = await call(["last-heartbeat", ...fx.target(), "--timeout", "4000"]);
    expect(human.code).toBe(5);
    expect(human.stderr).toContain("request was sent; the outcome is unknown");
  });

  it("5: a gateway that never sends the challenge times out before the request was sent", async () => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    const port = (wss.address() as AddressInfo).port;
    try {
      const result = await call(["health", "--url", `ws://127.0.0.1:${port}`, "--token-env", "GW2_TOKEN", "--timeout", "800", "--json"]);
      expect(result.code).toBe(5);
      expect((singleJson(result.stdout) as Envelope).error).toMatchObject({ kind: "timeout", requestSent: false });
    } finally {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });

  it("6: a relay policy denial (details.code RELAY_POLICY_DENIED) -> relay_policy_denied", async () => {
    fx.gateway.faults.set("system-presence", {
      error: { code: "FORBIDDEN", message: "method system-presence is not allowed for client wn1", details: { code: "RELAY_POLICY_DENIED", rule: "methods" } },
      times: 2,
    });
    const json = await call(["system-presence", ...fx.target(), "--json"]);
    expect(json.code).toBe(6);
    expect(singleJson(json.stdout)).toEqual({
      ok: false,
      error: {
        type: "relay_policy_denied",
        code: "FORBIDDEN",
        message: "method system-presence is not allowed for client wn1",
        details: { code: "RELAY_POLICY_DENIED", rule: "methods" },
        retryable: false,
      },
    });
    const human = await call(["system-presence", ...fx.target()]);
    expect(human.code).toBe(6);
    expect(human.stderr.trim()).toBe("Gateway call failed: denied by relay policy: method system-presence is not allowed for client wn1");
  });
});

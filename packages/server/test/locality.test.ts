import { afterEach, describe, expect, it } from "vitest";
import { attributeIngress, isTrustedProxy } from "../src/index.js";
import { RawClient, connectParams, handshake, startGateway } from "./helpers.js";
import type { TestGateway } from "./helpers.js";

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.server.close({ graceMs: 200 });
  gateway = undefined;
});

const TOKEN = { auth: { token: "secret-token" } };

describe("ingress attribution (OpenClaw's resolveGatewayIngressAttribution)", () => {
  it("classifies direct-local, direct-remote, trusted-proxy and unattributable peers", () => {
    expect(attributeIngress("127.0.0.1", {}, [])).toEqual({ kind: "direct-local", clientIp: "127.0.0.1" });
    expect(attributeIngress("::ffff:127.0.0.1", { host: "gw2.example.com" }, [])).toEqual({ kind: "direct-local", clientIp: "127.0.0.1" });
    expect(attributeIngress("198.51.100.4", {}, [])).toEqual({ kind: "direct-remote", clientIp: "198.51.100.4" });
    expect(attributeIngress("127.0.0.1", { "x-forwarded-for": "203.0.113.9" }, [])).toEqual({
      kind: "unattributable-proxy",
      remoteAddress: "127.0.0.1",
    });
    expect(attributeIngress("127.0.0.1", { "tailscale-user-login": "a@b" }, [])).toMatchObject({ kind: "unattributable-proxy" });
    expect(attributeIngress("127.0.0.1", { "x-forwarded-for": "203.0.113.9, 10.0.0.5" }, ["127.0.0.1", "10.0.0.0/8"])).toEqual({
      kind: "trusted-proxy",
      clientIp: "203.0.113.9",
    });
    // A trusted proxy that names no usable client (none, or only loopback) is not attributable.
    expect(attributeIngress("127.0.0.1", { "x-real-ip": "203.0.113.9" }, ["127.0.0.1"])).toMatchObject({ kind: "unattributable-proxy" });
    expect(attributeIngress("127.0.0.1", { "x-forwarded-for": "127.0.0.1" }, ["127.0.0.1"])).toMatchObject({ kind: "unattributable-proxy" });
  });

  it("matches trusted proxies by address or CIDR, IPv4-mapped forms included", () => {
    expect(isTrustedProxy("10.1.2.3", ["10.0.0.0/8"])).toBe(true);
    expect(isTrustedProxy("::ffff:10.1.2.3", ["10.0.0.0/8"])).toBe(true);
    expect(isTrustedProxy("11.1.2.3", ["10.0.0.0/8"])).toBe(false);
    expect(isTrustedProxy("::1", ["::1"])).toBe(true);
    expect(isTrustedProxy("127.0.0.1", [])).toBe(false);
    expect(isTrustedProxy("not-an-ip", ["127.0.0.1"])).toBe(false);
  });
});

describe("GatewayServer trustedProxies", () => {
  it("refuses an upgrade with untrusted forwarding headers with HTTP 403 (OpenClaw's default)", async () => {
    gateway = await startGateway({ server: { trustedProxies: [] } });
    await expect(RawClient.open(gateway.url, { "X-Forwarded-For": "203.0.113.9" })).rejects.toThrow(/403/);
    const plain = await RawClient.open(gateway.url);
    await plain.challenge();
    plain.close();
  });

  it("behind a trusted proxy, the forwarded client is remote: its CLI scopes are cleared", async () => {
    gateway = await startGateway({ server: { trustedProxies: ["127.0.0.1"] } });
    const { client, response } = await handshake(gateway.url, () => connectParams(TOKEN), { "X-Forwarded-For": "203.0.113.9" });
    expect((response["payload"] as { auth: { scopes: string[] } }).auth.scopes).toEqual([]);
    const [connection] = [...gateway.server.connections];
    expect(connection?.socket).toMatchObject({ directLocal: false, clientIp: "203.0.113.9", remoteAddress: "127.0.0.1" });
    client.close();
  });

  it("without trustedProxies, forwarding headers only make the socket non-local (legacy behaviour)", async () => {
    gateway = await startGateway();
    const { client, response } = await handshake(gateway.url, () => connectParams(TOKEN), { "X-Forwarded-For": "203.0.113.9" });
    expect(response["ok"]).toBe(true);
    expect([...gateway.server.connections][0]?.socket.directLocal).toBe(false);
    client.close();
  });
});

describe("locality ignores the Host header (observed on 2026.9.6)", () => {
  it("a loopback cli/cli with a foreign Host keeps its scopes and the local wrong-token hint", async () => {
    gateway = await startGateway();
    const host = { Host: "gw2.example.com" };
    const ok = await handshake(gateway.url, () => connectParams(TOKEN), host);
    expect((ok.response["payload"] as { auth: { scopes: string[] } }).auth.scopes).toEqual(["operator.read"]);
    ok.client.close();
    const bad = await handshake(gateway.url, () => connectParams({ auth: { token: "wrong" } }), host);
    expect((bad.response["error"] as { message: string }).message).toContain("use this gateway's gateway.auth.token");
  });
});

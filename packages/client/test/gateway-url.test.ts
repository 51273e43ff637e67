import { describe, expect, it } from "vitest";
import {
  assertPlaintextAllowed,
  edgeHeadersTransportProblem,
  GatewayClient,
  GatewayUrlError,
  InsecureTransportError,
  isLoopbackHost,
  isPrivateHost,
  parseGatewayUrl,
} from "../src/index.js";

describe("plaintext ws:// guard", () => {
  it.each([
    "ws://127.0.0.1:18789",
    "ws://127.8.9.10",
    "ws://localhost:18789",
    "ws://[::1]:18789",
    "ws://10.1.2.3",
    "ws://172.16.0.1",
    "ws://172.31.255.254",
    "ws://192.168.1.20",
    "ws://169.254.3.4",
    "ws://100.64.0.1",
    "ws://100.127.255.1",
    "ws://[fd12:3456::1]",
    "ws://[fe80::1]",
    "ws://[::ffff:10.0.0.1]",
    "ws://gateway.local",
    "ws://gw2.tail1234.ts.net",
    "wss://203.0.113.7",
  ])("allows %s", (url) => {
    expect(() => assertPlaintextAllowed(parseGatewayUrl(url))).not.toThrow();
  });

  it.each([
    "ws://8.8.8.8",
    "ws://203.0.113.7:18789",
    "ws://172.32.0.1",
    "ws://100.128.0.1",
    "ws://gw2.example.com",
    "ws://evil.local.example.com",
    "ws://ts.net.example.org",
    "ws://[2001:db8::1]",
    "ws://[::ffff:8.8.8.8]",
  ])("refuses %s with OpenClaw's SECURITY ERROR text", (url) => {
    let error: unknown;
    try {
      assertPlaintextAllowed(parseGatewayUrl(url));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InsecureTransportError);
    expect((error as Error).message).toMatch(/^SECURITY ERROR: Gateway URL ".*" uses plaintext ws:\/\//);
    expect((error as InsecureTransportError).code).toBe("INSECURE_PLAINTEXT");
  });

  it("allows a public plaintext host only with the explicit override", () => {
    expect(() => new GatewayClient({ url: "ws://198.51.100.4:18789" })).toThrow(InsecureTransportError);
    expect(() => new GatewayClient({ url: "ws://198.51.100.4:18789", allowInsecurePlaintext: true })).not.toThrow();
  });

  it("classifies hosts", () => {
    expect(isPrivateHost("10.0.0.1")).toBe(true);
    expect(isPrivateHost("11.0.0.1")).toBe(false);
    for (const host of ["localhost", "127.0.0.1", "127.255.255.254", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) {
      expect(isLoopbackHost(host), host).toBe(true);
      expect(isPrivateHost(host), host).toBe(true);
    }
    for (const host of ["128.0.0.1", "10.0.0.1", "::2", "127.example.com", "localhost.example.com", "1270.0.0.1"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
    for (const host of ["192.168.1.2", "172.16.0.9", "169.254.1.1", "100.64.0.1", "fd00::1", "fe80::1", "gw2.local", "gw2.tail1.ts.net"]) {
      expect(isPrivateHost(host), host).toBe(true);
    }
    for (const host of ["172.32.0.1", "100.128.0.1", "2001:db8::1", "gw2.example.com"]) expect(isPrivateHost(host), host).toBe(false);
  });

  it("refuses other schemes and credentials embedded in the URL (without echoing them)", () => {
    expect(() => parseGatewayUrl("http://127.0.0.1")).toThrow(GatewayUrlError);
    expect(() => parseGatewayUrl("not a url")).toThrow(GatewayUrlError);
    let message = "";
    try {
      parseGatewayUrl("ws://user:hunter2-secret@127.0.0.1:1");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/must not embed credentials/);
    expect(message).not.toContain("hunter2-secret");
  });

  it("refuses a fragment, which a WebSocket URL cannot carry", () => {
    expect(() => parseGatewayUrl("ws://127.0.0.1:18789/#x")).toThrow(new GatewayUrlError("gateway url must not contain a #fragment"));
    expect(parseGatewayUrl("ws://127.0.0.1:18789/").hash).toBe("");
  });
});

describe("edge headers transport", () => {
  it("sends edge headers over wss:// or to loopback only, whatever allowInsecurePlaintext says", () => {
    for (const url of ["wss://gw2.example.com", "wss://10.0.0.5:18789", "ws://127.0.0.1:18789", "ws://[::1]:1", "ws://localhost:2"]) {
      expect(edgeHeadersTransportProblem(new URL(url)), url).toBeUndefined();
    }
    for (const url of ["ws://10.0.0.5:18789", "ws://gw2.ts.net", "ws://gw2.example.com"]) {
      expect(edgeHeadersTransportProblem(new URL(url)), url).toMatch(/edge headers are sent only over wss:\/\//);
    }
    const client = (url: string) => new GatewayClient({ url, headers: { "CF-Access-Client-Secret": "edge-s3cret" }, allowInsecurePlaintext: true });
    expect(() => client("ws://10.0.0.5:18789")).toThrow(InsecureTransportError);
    expect(() => client("ws://10.0.0.5:18789")).not.toThrow(/edge-s3cret/);
    expect(() => client("ws://127.0.0.1:18789")).not.toThrow();
    expect(() => new GatewayClient({ url: "ws://10.0.0.5:18789" })).not.toThrow();
  });
});

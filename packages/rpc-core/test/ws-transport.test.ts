import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import type WebSocket from "ws";
import { ConnectError, ConnectionClosedError, Peer, WebSocketTransport, connectWebSocket } from "../src/index.js";
import { collect, next } from "./harness.js";

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Loopback {
  url: string;
  server: WebSocketServer;
  connections: WebSocket[];
  requests: IncomingMessage[];
}

async function loopback(options: { maxPayload?: number } = {}): Promise<Loopback> {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1", ...options });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const connections: WebSocket[] = [];
  const requests: IncomingMessage[] = [];
  server.on("connection", (socket, request) => {
    connections.push(socket);
    requests.push(request);
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  );
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, server, connections, requests };
}

async function serverSide(lb: Loopback, index = 0): Promise<WebSocket> {
  while (lb.connections.length <= index) await new Promise<void>((resolve) => setImmediate(resolve));
  return lb.connections[index] as WebSocket;
}

async function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

function connectFailure(promise: Promise<unknown>): Promise<ConnectError> {
  return promise.then(
    () => {
      throw new Error("expected the connection to fail");
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(ConnectError);
      return error as ConnectError;
    },
  );
}

describe("WebSocketTransport", () => {
  it("carries text both ways and delivers binary frames as UTF-8 text", async () => {
    const lb = await loopback();
    const client = await connectWebSocket(lb.url);
    const server = new WebSocketTransport(await serverSide(lb));
    const atServer = collect<string>(server.onMessage.bind(server));
    const atClient = collect<string>(client.onMessage.bind(client));
    client.send('{"type":"req","id":"1","method":"health"}');
    server.socket.send(Buffer.from('{"type":"event","event":"tick","payload":{"ts":1}}', "utf8"), { binary: true });
    server.send("héllo ✓");
    await vi_waitFor(() => atServer.length === 1 && atClient.length === 2);
    expect(atServer).toEqual(['{"type":"req","id":"1","method":"health"}']);
    expect(atClient).toEqual(['{"type":"event","event":"tick","payload":{"ts":1}}', "héllo ✓"]);
    expect(typeof client.bufferedAmount).toBe("number");
    expect(client.isOpen).toBe(true);
    client.close(1000);
  });

  it("propagates close code and reason to the other side", async () => {
    const lb = await loopback();
    const client = await connectWebSocket(lb.url);
    const server = new WebSocketTransport(await serverSide(lb));
    const closed = next(client.onClose.bind(client));
    server.close(1012, "service restart");
    expect(server.isOpen).toBe(false);
    await expect(closed).resolves.toEqual({ code: 1012, reason: "service restart" });
    expect(() => client.send("x")).toThrow(ConnectionClosedError);
    await expect(next(server.onClose.bind(server))).resolves.toEqual({ code: 1012, reason: "service restart" });
  });

  it("reports 1005 for a close without status and 1006 for a dropped link", async () => {
    const lb = await loopback();
    const first = await connectWebSocket(lb.url);
    const firstServer = new WebSocketTransport(await serverSide(lb, 0));
    const noStatus = next(first.onClose.bind(first));
    firstServer.close();
    await expect(noStatus).resolves.toEqual({ code: 1005, reason: "" });

    const second = await connectWebSocket(lb.url);
    const dropped = next(second.onClose.bind(second));
    (await serverSide(lb, 1)).terminate();
    await expect(dropped).resolves.toEqual({ code: 1006, reason: "" });
  });

  it("truncates close reasons to the 123-byte limit instead of throwing", async () => {
    const lb = await loopback();
    const client = await connectWebSocket(lb.url);
    const server = new WebSocketTransport(await serverSide(lb));
    const closed = next(server.onClose.bind(server));
    client.close(1008, "x".repeat(500));
    const info = await closed;
    expect(info.code).toBe(1008);
    expect(info.reason).toBe("x".repeat(123));
  });

  it("closes 1009 when a frame exceeds the client's maxPayload", async () => {
    const lb = await loopback();
    const client = await connectWebSocket(lb.url, { maxPayload: 1_024 });
    const server = new WebSocketTransport(await serverSide(lb));
    const closed = next(client.onClose.bind(client));
    const serverClosed = next(server.onClose.bind(server));
    server.send("y".repeat(4_096));
    await expect(closed).resolves.toEqual({ code: 1009, reason: "" });
    expect(client.lastError).toMatchObject({ code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" });
    await expect(serverClosed).resolves.toMatchObject({ code: 1009 });
  });

  it("drives a Peer on the server side of a WebSocketServer", async () => {
    const lb = await loopback();
    const clientPeer = new Peer(await connectWebSocket(lb.url));
    const serverPeer = new Peer(new WebSocketTransport(await serverSide(lb)));
    const events = collect(clientPeer.onEvent.bind(clientPeer));
    serverPeer.sendEvent("tick", { ts: 5 }, { seq: true });
    await expect(clientPeer.request("health")).rejects.toMatchObject({ code: "INVALID_REQUEST", message: "unknown method: health" });
    expect(events).toEqual([{ type: "event", event: "tick", payload: { ts: 5 }, seq: 1 }]);
    clientPeer.close();
  });
});

describe("Peer over a socket the server closes at once", () => {
  it("reports the server's close code and reason, not 1005, when the close frame came with the upgrade", async () => {
    const { url, server } = await loopback();
    server.on("connection", (socket) => socket.close(1012, "service restart"));
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const transport = await connectWebSocket(url);
      const transportClosed = new Promise((resolve) => transport.onClose(resolve));
      const peer = new Peer(transport);
      const peerClosed = new Promise((resolve) => peer.onClose(resolve));
      expect(await transportClosed).toEqual({ code: 1012, reason: "service restart" });
      expect(await peerClosed).toMatchObject({ code: 1012, reason: "service restart", initiator: "remote" });
      expect(peer.closeInfo).toMatchObject({ code: 1012, reason: "service restart" });
    }
  });
});

describe("connectWebSocket", () => {
  it("opens without permessage-deflate by default and passes headers through", async () => {
    const lb = await loopback();
    const transport = await connectWebSocket(lb.url, { headers: { "x-clawbridge-test": "yes" } });
    await serverSide(lb);
    expect(lb.requests[0]?.headers["sec-websocket-extensions"]).toBeUndefined();
    expect(lb.requests[0]?.headers["x-clawbridge-test"]).toBe("yes");
    expect(transport.socket.extensions).toBe("");
    transport.close(1000);

    const deflating = await connectWebSocket(lb.url, { perMessageDeflate: true });
    await serverSide(lb, 1);
    expect(lb.requests[1]?.headers["sec-websocket-extensions"]).toContain("permessage-deflate");
    deflating.close(1000);
  });

  it("rejects with ECONNREFUSED when nothing listens", async () => {
    const probe = createNetServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    cleanups.pop();
    const error = await connectFailure(connectWebSocket(`ws://127.0.0.1:${port}`));
    expect(error.code).toBe("ECONNREFUSED");
    expect(error.kind).toBe("connect");
    expect(error.message).toBe("connect failed: ECONNREFUSED");
  });

  it("rejects with the DNS error code for an unresolvable host", async () => {
    const error = await connectFailure(connectWebSocket("ws://clawbridge-test.invalid:18789"));
    expect(["ENOTFOUND", "EAI_AGAIN"]).toContain(error.code);
  }, 60_000); // a machine without a reachable resolver answers only after its retries

  it("rejects a refused upgrade with UPGRADE_REJECTED and the HTTP status", async () => {
    const http = createServer();
    http.on("upgrade", (_request, socket: Socket) => {
      socket.end("HTTP/1.1 302 Found\r\nLocation: https://login.example/\r\nContent-Length: 0\r\n\r\n");
    });
    const port = await listen(http);
    const error = await connectFailure(connectWebSocket(`ws://127.0.0.1:${port}`));
    expect(error).toMatchObject({ code: "UPGRADE_REJECTED", httpStatus: 302, location: "https://login.example/" });
    expect(error.toJSON()).toMatchObject({ name: "ConnectError", code: "UPGRADE_REJECTED", httpStatus: 302 });

    const denied = createServer();
    denied.on("upgrade", (_request, socket: Socket) => {
      socket.end("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
    });
    const deniedPort = await listen(denied);
    await expect(connectWebSocket(`ws://127.0.0.1:${deniedPort}`)).rejects.toMatchObject({
      code: "UPGRADE_REJECTED",
      httpStatus: 401,
      message: "connect failed: websocket upgrade rejected with HTTP 401",
    });
  });

  it("rejects with HANDSHAKE_TIMEOUT when the server never answers the upgrade", async () => {
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => sockets.push(socket));
    const port = await listen(silent);
    cleanups.push(() => sockets.forEach((socket) => socket.destroy()));
    const error = await connectFailure(connectWebSocket(`ws://127.0.0.1:${port}`, { handshakeTimeout: 100 }));
    expect(error.code).toBe("HANDSHAKE_TIMEOUT");
  });

  it("rejects with ABORTED for an aborted signal, before or during the handshake", async () => {
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => sockets.push(socket));
    const port = await listen(silent);
    cleanups.push(() => sockets.forEach((socket) => socket.destroy()));

    const before = new AbortController();
    before.abort();
    expect((await connectFailure(connectWebSocket(`ws://127.0.0.1:${port}`, { signal: before.signal }))).code).toBe(
      "ABORTED",
    );

    const during = new AbortController();
    const pending = connectWebSocket(`ws://127.0.0.1:${port}`, { signal: during.signal });
    await vi_waitFor(() => sockets.length > 0);
    during.abort();
    expect((await connectFailure(pending)).code).toBe("ABORTED");
  });

  it("rejects an invalid URL with INVALID_URL", async () => {
    expect((await connectFailure(connectWebSocket("not a url"))).code).toBe("INVALID_URL");
  });

  describe.skipIf(!hasOpenssl())("TLS", () => {
    it("passes the TLS error code through, and honours ca / rejectUnauthorized", async () => {
      const dir = mkdtempSync(join(tmpdir(), "rpc-core-tls-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"]
          .concat(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
          .concat(["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]),
        { stdio: "ignore" },
      );
      const cert = readFileSync(join(dir, "cert.pem"));
      const https = createHttpsServer({ cert, key: readFileSync(join(dir, "key.pem")) });
      const wss = new WebSocketServer({ server: https });
      cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
      const port = await listen(https);
      const url = `wss://127.0.0.1:${port}`;

      const untrusted = await connectFailure(connectWebSocket(url));
      expect(untrusted.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");

      const pinned = await connectWebSocket(url, { ca: cert });
      expect(pinned.isOpen).toBe(true);
      pinned.close(1000);

      const insecure = await connectWebSocket(url, { rejectUnauthorized: false });
      expect(insecure.isOpen).toBe(true);
      insecure.close(1000);
    });
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function vi_waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise<void>((resolve) => setImmediate(resolve));
}

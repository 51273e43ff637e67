// Baselines for bench/relay: the least a Node relay between the same load generator and
// gateway can cost, measured in the same run as clawbridge-relay.
//   tcp <ws-url>  a TCP pipe per client (net.Socket.pipe both ways): no WebSocket parsing,
//                 no multiplexing; the floor of any user-space proxy in Node.
//   ws  <ws-url>  a bare `ws` relay that, like clawbridge-relay, terminates the clients'
//                 WebSocket, parses each frame, rewrites its id and forwards it over ONE
//                 upstream connection, then maps the answer back. No policy, validation,
//                 metrics, audit, timeouts or reconnects: what inspecting frames costs.
// Env: BENCH_UPSTREAM_TOKEN (the `ws` relay's upstream token; its own clients are not
// authenticated). Prints {"msg":"relay listening","url":…} on stderr when ready.
import { createServer as createHttpServer } from "node:http";
import { createRequire } from "node:module";
import { connect, createServer as createTcpServer } from "node:net";

// `ws` is not a root dependency (pnpm is strict); borrow the relay's copy.
const require = createRequire(new URL("../../apps/relay/package.json", import.meta.url));
const { WebSocket, WebSocketServer } = require("ws");

const [kind, upstreamUrl] = process.argv.slice(2);
const upstream = new URL(upstreamUrl ?? "");
const ready = (port) => process.stderr.write(`${JSON.stringify({ msg: "relay listening", url: `ws://127.0.0.1:${port}` })}\n`);

if (kind === "tcp") {
  const server = createTcpServer((client) => {
    const gateway = connect(Number(upstream.port), upstream.hostname);
    for (const socket of [client, gateway]) {
      socket.setNoDelay(true);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        client.destroy();
        gateway.destroy();
      });
    }
    client.pipe(gateway);
    gateway.pipe(client);
  });
  server.listen(0, "127.0.0.1", () => ready(server.address().port));
} else if (kind === "ws") {
  const pending = new Map();
  let nextId = 0;
  let hello;
  const link = new WebSocket(upstream, { perMessageDeflate: false });
  link.on("message", (data) => {
    const frame = JSON.parse(String(data));
    if (frame.type === "event" && frame.event === "connect.challenge") {
      link.send(
        JSON.stringify({
          type: "req",
          id: "connect",
          method: "connect",
          params: {
            minProtocol: 4,
            maxProtocol: 4,
            client: { id: "gateway-client", version: "0.0.0", platform: "linux", mode: "backend" },
            caps: [],
            role: "operator",
            scopes: ["operator.read"],
            auth: { token: process.env.BENCH_UPSTREAM_TOKEN },
          },
        }),
      );
    } else if (frame.type === "res" && frame.id === "connect") {
      if (!frame.ok) fail(frame.error?.message);
      hello = frame.payload;
      listen();
    } else if (frame.type === "res") {
      const waiter = pending.get(frame.id);
      if (waiter === undefined) return;
      pending.delete(frame.id);
      frame.id = waiter.id;
      waiter.client.send(JSON.stringify(frame));
    }
  });
  link.on("error", (error) => fail(error.message));
  const listen = () => {
    const server = createHttpServer();
    server.on("connection", (socket) => socket.setNoDelay(true));
    new WebSocketServer({ server, perMessageDeflate: false }).on("connection", (client) => {
      client.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: String(Math.random()), ts: Date.now() } }));
      client.on("message", (data) => {
        const frame = JSON.parse(String(data));
        if (frame.method === "connect") {
          client.send(JSON.stringify({ type: "res", id: frame.id, ok: true, payload: hello }));
          return;
        }
        const id = String((nextId += 1));
        pending.set(id, { client, id: frame.id });
        frame.id = id;
        link.send(JSON.stringify(frame));
      });
    });
    server.listen(0, "127.0.0.1", () => ready(server.address().port));
  };
} else {
  fail(`unknown kind ${kind}: tcp or ws`);
}

function fail(message) {
  process.stderr.write(`floor-relays: ${message}\n`);
  process.exit(1);
}

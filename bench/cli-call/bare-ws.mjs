// Baseline for bench/cli-call: the least a Node process must do for one gateway RPC —
// open a bare `ws` socket, answer the challenge with `connect`, wait for hello-ok, send
// one request, print its payload, close. No validation, no device identity, no options.
// Usage: BENCH_TOKEN=<token> node bare-ws.mjs <ws-url> [method]
import { createRequire } from "node:module";

// `ws` is not a root dependency (pnpm is strict); borrow the CLI's copy.
const require = createRequire(new URL("../../apps/cli/package.json", import.meta.url));
const WebSocket = require("ws");

const [url, method = "health"] = process.argv.slice(2);
const token = process.env.BENCH_TOKEN;
const socket = new WebSocket(url, { perMessageDeflate: false });
let stage = "challenge";
socket.on("message", (data) => {
  const frame = JSON.parse(String(data));
  if (stage === "challenge" && frame.type === "event" && frame.event === "connect.challenge") {
    stage = "hello";
    socket.send(
      JSON.stringify({
        type: "req",
        id: "1",
        method: "connect",
        params: {
          minProtocol: 4,
          maxProtocol: 4,
          client: { id: "cli", version: "0.0.0", platform: "linux", mode: "cli" },
          caps: [],
          role: "operator",
          scopes: ["operator.read"],
          auth: { token },
        },
      }),
    );
  } else if (stage === "hello" && frame.type === "res" && frame.id === "1") {
    if (!frame.ok) fail(frame.error?.message);
    stage = "call";
    socket.send(JSON.stringify({ type: "req", id: "2", method, params: {} }));
  } else if (stage === "call" && frame.type === "res" && frame.id === "2") {
    if (!frame.ok) fail(frame.error?.message);
    process.stdout.write(`${JSON.stringify(frame.payload, null, 2)}\n`);
    stage = "done";
    socket.close(1000);
  }
});
socket.on("error", (error) => fail(error.message));

function fail(message) {
  process.stderr.write(`bare-ws: ${message}\n`);
  process.exit(1);
}

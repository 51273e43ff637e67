import { once } from "node:events";
import { createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { coalesceWrites, coalescingAgent } from "../src/upstream/coalescing-agent.js";

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const done of cleanup.splice(0)) done();
});

/** A loopback TCP pair: the client socket and a promise of everything the server side reads, chunk by chunk. */
async function socketPair(): Promise<{ client: Socket; chunks: Buffer[] }> {
  const chunks: Buffer[] = [];
  const server = createServer((socket) => socket.on("data", (chunk: Buffer) => chunks.push(chunk)));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const agent = coalescingAgent(false);
  const client = agent.createConnection({ host: "127.0.0.1", port: (server.address() as AddressInfo).port }) as Socket;
  await once(client, "connect");
  cleanup.push(() => {
    client.destroy();
    server.close();
  });
  return { client, chunks };
}

describe("coalesceWrites", () => {
  it("holds writes made in one event-loop turn and sends them together, in order, at the end of the turn", async () => {
    const { client, chunks } = await socketPair();
    const writes: number[] = [];
    const stream = client as unknown as { _writev(chunks: unknown[], cb: unknown): void; _write(chunk: unknown, encoding: unknown, cb: unknown): void };
    const writev = stream._writev.bind(client);
    const write = stream._write.bind(client);
    stream._writev = (list, cb) => {
      writes.push(list.length);
      writev(list, cb);
    };
    stream._write = (chunk, encoding, cb) => {
      writes.push(1);
      write(chunk, encoding, cb);
    };
    client.write("a");
    client.cork(); // ws corks around each frame: nesting must not release the turn's batch early
    client.write("b");
    client.uncork();
    client.write("c");
    expect(client.writableCorked).toBe(1);
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.writableCorked).toBe(0);
    expect(writes).toEqual([3]); // one writev of the three chunks
    for (let i = 0; i < 50 && Buffer.concat(chunks).length < 3; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(Buffer.concat(chunks).toString()).toBe("abc");
  });

  it("end() flushes what the turn holds", async () => {
    const { client, chunks } = await socketPair();
    client.write("x");
    client.end("y");
    await once(client, "finish");
    for (let i = 0; i < 50 && Buffer.concat(chunks).length < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(Buffer.concat(chunks).toString()).toBe("xy");
  });

  it("leaves a destroyed socket alone", () => {
    const calls: string[] = [];
    const fake = {
      destroyed: true,
      cork: () => calls.push("cork"),
      uncork: () => calls.push("uncork"),
      write: () => {
        calls.push("write");
        return false;
      },
    };
    coalesceWrites(fake as never);
    (fake as unknown as Socket).write("z");
    expect(calls).toEqual(["write"]);
  });
});

import { createServer, connect } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";

/** Bytes of one proxied TCP connection, per direction, in arrival order. */
export interface RecordedConnection {
  /** Client → upstream bytes. */
  readonly up: Buffer[];
  /** Upstream → client bytes. */
  readonly down: Buffer[];
}

/** A headerless TCP forwarder on loopback that records every byte in both directions. */
export interface RecordingProxy {
  /** Port it listens on (127.0.0.1). */
  readonly port: number;
  /** Every connection so far, in accept order. */
  readonly connections: readonly RecordedConnection[];
  /** Stops listening and destroys open sockets. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a recording TCP proxy on `127.0.0.1:0` forwarding to `targetHost:targetPort`. It adds
 * no header (it is not an HTTP proxy), so the target sees a loopback peer.
 */
export async function startRecordingProxy(targetHost: string, targetPort: number): Promise<RecordingProxy> {
  const connections: RecordedConnection[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const record: RecordedConnection = { up: [], down: [] };
    connections.push(record);
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    client.on("data", (chunk: Buffer) => {
      record.up.push(Buffer.from(chunk));
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      record.down.push(Buffer.from(chunk));
      client.write(chunk);
    });
    const finish = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
    client.on("close", finish);
    upstream.on("close", finish);
    client.on("error", finish);
    upstream.on("error", finish);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

/** One recorded connection decoded as an HTTP upgrade followed by WebSocket frames. */
export interface DecodedWebSocket {
  /** The HTTP upgrade request head (request line + headers). */
  readonly request: string;
  /** The HTTP response head. */
  readonly response: string;
  /** Whether the response negotiated `permessage-deflate` (then payloads are compressed). */
  readonly deflate: boolean;
  /** Client → server message payloads (unmasked; fragments joined), as UTF-8. */
  readonly sent: string[];
  /** Server → client message payloads, as UTF-8. */
  readonly received: string[];
  /** Close frames (code, reason) in either direction. */
  readonly closes: { from: "client" | "server"; code: number | undefined; reason: string }[];
}

function splitHead(bytes: Buffer): { head: string; rest: Buffer } {
  const end = bytes.indexOf("\r\n\r\n");
  if (end < 0) return { head: bytes.toString("latin1"), rest: Buffer.alloc(0) };
  return { head: bytes.subarray(0, end).toString("latin1"), rest: bytes.subarray(end + 4) };
}

/** Decodes RFC 6455 frames (masked or not); control frames are returned separately. */
function decodeFrames(bytes: Buffer): { messages: Buffer[]; closes: { code: number | undefined; reason: string }[] } {
  const messages: Buffer[] = [];
  const closes: { code: number | undefined; reason: string }[] = [];
  let fragments: Buffer[] = [];
  let offset = 0;
  while (offset + 2 <= bytes.length) {
    const b0 = bytes[offset] ?? 0;
    const b1 = bytes[offset + 1] ?? 0;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;
    let cursor = offset + 2;
    if (length === 126) {
      if (cursor + 2 > bytes.length) break;
      length = bytes.readUInt16BE(cursor);
      cursor += 2;
    } else if (length === 127) {
      if (cursor + 8 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(cursor));
      cursor += 8;
    }
    let mask: Buffer | undefined;
    if (masked) {
      if (cursor + 4 > bytes.length) break;
      mask = bytes.subarray(cursor, cursor + 4);
      cursor += 4;
    }
    if (cursor + length > bytes.length) break; // truncated tail (connection cut mid-frame)
    const payload = Buffer.from(bytes.subarray(cursor, cursor + length));
    if (mask !== undefined) for (let i = 0; i < payload.length; i += 1) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
    offset = cursor + length;
    if (opcode === 0x8) {
      closes.push({ code: payload.length >= 2 ? payload.readUInt16BE(0) : undefined, reason: payload.subarray(2).toString("utf8") });
      continue;
    }
    if (opcode === 0x9 || opcode === 0xa) continue; // ping/pong
    fragments.push(payload);
    if (fin) {
      messages.push(Buffer.concat(fragments));
      fragments = [];
    }
  }
  return { messages, closes };
}

/** Decodes a recorded connection that carried one WebSocket session. */
export function decodeWebSocket(connection: RecordedConnection): DecodedWebSocket {
  const up = splitHead(Buffer.concat(connection.up));
  const down = splitHead(Buffer.concat(connection.down));
  const deflate = /^sec-websocket-extensions:.*permessage-deflate/im.test(down.head);
  const sent = decodeFrames(up.rest);
  const received = decodeFrames(down.rest);
  return {
    request: up.head,
    response: down.head,
    deflate,
    sent: sent.messages.map((message) => message.toString("utf8")),
    received: received.messages.map((message) => message.toString("utf8")),
    closes: [
      ...sent.closes.map((close) => ({ from: "client" as const, ...close })),
      ...received.closes.map((close) => ({ from: "server" as const, ...close })),
    ],
  };
}

/**
 * Every place `needle` (and its base64/base64url/hex forms) occurs in a recorded connection:
 * the raw bytes of both directions and the decoded (unmasked) WebSocket messages. Returns a
 * list of human-readable hits; empty means "never on the wire".
 */
export function findSecretOnWire(connection: RecordedConnection, needle: string): string[] {
  const forms = new Map<string, string>([
    ["plain", needle],
    ["base64", Buffer.from(needle).toString("base64")],
    ["base64url", Buffer.from(needle).toString("base64url")],
    ["hex", Buffer.from(needle).toString("hex")],
  ]);
  const hits: string[] = [];
  const rawUp = Buffer.concat(connection.up).toString("latin1");
  const rawDown = Buffer.concat(connection.down).toString("latin1");
  const decoded = decodeWebSocket(connection);
  for (const [form, value] of forms) {
    if (rawUp.includes(value)) hits.push(`raw client→server bytes (${form})`);
    if (rawDown.includes(value)) hits.push(`raw server→client bytes (${form})`);
    decoded.sent.forEach((message, index) => {
      if (message.includes(value)) hits.push(`client message #${index} (${form})`);
    });
    decoded.received.forEach((message, index) => {
      if (message.includes(value)) hits.push(`server message #${index} (${form})`);
    });
  }
  return hits;
}

import { createHash, generateKeyPairSync, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { buildDeviceAuthPayloadV2, buildDeviceAuthPayloadV3, signatureTokenOf } from "@clawbridge/protocol";
import type { ConnectParams } from "@clawbridge/protocol";
import WebSocket from "ws";
import { GatewayServer, createGatewayAuthenticator } from "../src/index.js";
import type { GatewayAuthenticatorOptions, GatewayServerOptions, PairingStore, SharedSecretConfig } from "../src/index.js";

/** A parsed inbound frame. */
export type Frame = Record<string, unknown> & { type?: string; id?: string; event?: string; seq?: number };

/** A protocol-agnostic test client that records everything. */
export class RawClient {
  readonly frames: Frame[] = [];
  readonly socket: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];
  #cursor = 0;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on("message", (data: WebSocket.RawData) => {
      const text = Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data as ArrayBuffer).toString("utf8");
      this.frames.push(JSON.parse(text) as Frame);
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on("close", (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString("utf8") });
        this.#wake();
      });
    });
    socket.on("error", () => undefined);
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    const client = new RawClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return client;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  get isClosed(): boolean {
    return this.socket.readyState === WebSocket.CLOSED;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The next frame (after the cursor) matching `predicate`; rejects on close or timeout. */
  async next(predicate: (frame: Frame) => boolean = () => true, timeoutMs = 5_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#cursor < this.frames.length) {
        const frame = this.frames[this.#cursor++] as Frame;
        if (predicate(frame)) return frame;
      }
      if (this.isClosed) throw new Error(`socket closed while waiting (frames: ${JSON.stringify(this.frames).slice(0, 500)})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timed out waiting for a frame");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The response to request `id`. */
  response(id: string, timeoutMs = 5_000): Promise<Frame> {
    return this.next((frame) => frame.type === "res" && frame.id === id, timeoutMs);
  }

  /** Sends a request and returns its response. */
  async call(id: string, method: string, params?: unknown): Promise<Frame> {
    this.send({ type: "req", id, method, ...(params === undefined ? {} : { params }) });
    return this.response(id);
  }

  async challenge(): Promise<{ nonce: string; ts: number }> {
    const frame = this.frames.find((f) => f.event === "connect.challenge") ?? (await this.next((f) => f.event === "connect.challenge"));
    return frame["payload"] as { nonce: string; ts: number };
  }

  close(): void {
    this.socket.close();
  }
}

/** connect params with sensible defaults (`cli`/`cli`, protocol 4, operator). */
export function connectParams(overrides: Partial<ConnectParams> = {}): ConnectParams {
  return {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "cli", version: "2026.9.6", platform: "linux", deviceFamily: "Linux", mode: "cli" },
    caps: [],
    role: "operator",
    scopes: ["operator.read"],
    ...overrides,
  };
}

/** An Ed25519 device identity for tests. */
export interface TestDevice {
  readonly deviceId: string;
  readonly publicKey: string;
  readonly raw: Buffer;
  readonly privateKey: KeyObject;
  readonly publicKeyObject: KeyObject;
}

export function createDevice(): TestDevice {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(12);
  return {
    deviceId: createHash("sha256").update(raw).digest("hex"),
    publicKey: raw.toString("base64url"),
    raw,
    privateKey,
    publicKeyObject: publicKey,
  };
}

/** Adds a signed `device` block to connect params. */
export function signConnect(
  device: TestDevice,
  params: ConnectParams,
  nonce: string,
  options: { signedAt?: number; version?: "v3" | "v2"; publicKey?: string; id?: string; signNonce?: string } = {},
): ConnectParams {
  const signedAt = options.signedAt ?? Date.now();
  const input = {
    deviceId: options.id ?? device.deviceId,
    clientId: params.client.id,
    clientMode: params.client.mode,
    role: params.role ?? "operator",
    scopes: params.scopes ?? [],
    signedAtMs: signedAt,
    token: signatureTokenOf(params.auth),
    nonce: options.signNonce ?? nonce,
    platform: params.client.platform,
    deviceFamily: params.client.deviceFamily,
  };
  const payload = options.version === "v2" ? buildDeviceAuthPayloadV2(input) : buildDeviceAuthPayloadV3(input);
  const signature = sign(null, Buffer.from(payload, "utf8"), device.privateKey).toString("base64url");
  return {
    ...params,
    device: { id: options.id ?? device.deviceId, publicKey: options.publicKey ?? device.publicKey, signature, signedAt, nonce },
  };
}

/** A started server for tests. */
export interface TestGateway {
  readonly server: GatewayServer;
  readonly url: string;
  readonly pairing: PairingStore;
}

export async function startGateway(
  options: {
    auth?: SharedSecretConfig;
    server?: Partial<GatewayServerOptions>;
    authenticator?: Partial<GatewayAuthenticatorOptions>;
    register?: (server: GatewayServer) => void;
  } = {},
): Promise<TestGateway> {
  const authenticator = createGatewayAuthenticator({
    sharedSecret: options.auth ?? { mode: "token", token: "secret-token" },
    ...options.authenticator,
  });
  const server = new GatewayServer({ authenticate: authenticator.authenticate, ...options.server });
  server.router.register("health", () => ({ ok: true }));
  server.router.register("status", () => ({ runtimeVersion: "test" }));
  server.router.register("node.list", () => ({ ts: Date.now(), nodes: [] }));
  server.router.register("node.event", () => ({ ok: true }));
  options.register?.(server);
  const { url } = await server.listen();
  return { server, url, pairing: authenticator.pairing };
}

/** Opens a socket, waits for the challenge, sends connect (built from the nonce) and returns the response. */
export async function handshake(
  url: string,
  build: (nonce: string) => ConnectParams | unknown,
  headers: Record<string, string> = {},
): Promise<{ client: RawClient; response: Frame }> {
  const client = await RawClient.open(url, headers);
  const { nonce } = await client.challenge();
  client.send({ type: "req", id: "c1", method: "connect", params: build(nonce) });
  const response = await client.response("c1");
  return { client, response };
}

/** Non-local socket simulation: a proxy header removes direct-local locality. */
export const REMOTE = { "X-Forwarded-For": "203.0.113.7" };

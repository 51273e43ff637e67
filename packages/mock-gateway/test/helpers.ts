import { platformIdentity } from "@clawbridge/protocol";
import type { ConnectParams, EventFrame, HelloOk } from "@clawbridge/protocol";
import { Peer, connectWebSocket } from "@clawbridge/rpc-core";
import { signDeviceProof } from "../src/index.js";
import type { DeviceIdentity } from "../src/index.js";

/** A well-behaved operator client built on rpc-core. */
export interface OperatorClient {
  readonly peer: Peer;
  readonly hello: HelloOk;
  readonly events: EventFrame[];
  close(): Promise<void>;
}

export interface OperatorOptions {
  readonly token?: string;
  readonly password?: string;
  readonly deviceToken?: string;
  readonly scopes?: string[];
  readonly clientId?: ConnectParams["client"]["id"];
  readonly mode?: ConnectParams["client"]["mode"];
  readonly identity?: DeviceIdentity;
  readonly headers?: Record<string, string>;
}

export async function connectOperator(url: string, options: OperatorOptions = {}): Promise<OperatorClient> {
  const transport = await connectWebSocket(url, { headers: { ...options.headers } });
  const peer = new Peer(transport);
  const events: EventFrame[] = [];
  const challenge = new Promise<{ nonce: string; ts: number }>((resolve) => {
    peer.onEvent((frame) => {
      if (frame.event === "connect.challenge") resolve(frame.payload as { nonce: string; ts: number });
      else events.push(frame);
    });
  });
  const { nonce, ts } = await challenge;
  const auth: NonNullable<ConnectParams["auth"]> = {};
  if (options.token !== undefined) auth.token = options.token;
  if (options.password !== undefined) auth.password = options.password;
  if (options.deviceToken !== undefined) auth.deviceToken = options.deviceToken;
  const ids = platformIdentity(process.platform);
  const params: ConnectParams = {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: options.clientId ?? "cli", version: "2026.9.6", ...ids, mode: options.mode ?? "cli" },
    caps: [],
    role: "operator",
    scopes: options.scopes ?? ["operator.read"],
    auth,
  };
  if (options.identity !== undefined) params.device = signDeviceProof(options.identity, params, nonce, ts);
  const hello = await peer.request<HelloOk>("connect", params);
  return {
    peer,
    hello,
    events,
    close: async () => {
      if (!peer.isOpen) return;
      const closed = new Promise<void>((resolve) => peer.transport.onClose(() => resolve()));
      peer.close();
      await closed;
    },
  };
}

/** Waits until `predicate` holds (polling every 10 ms) or throws after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Admin scopes used by tests that drive pairing. */
export const ADMIN_SCOPES = ["operator.admin", "operator.read", "operator.write", "operator.pairing"];

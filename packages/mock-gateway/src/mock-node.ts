import { platform as osPlatform } from "node:os";
import { NodeInvokeRequestPayload, platformIdentity } from "@clawbridge/protocol";
import type { ConnectParams, EventFrame, HelloOk } from "@clawbridge/protocol";
import { Peer, connectWebSocket } from "@clawbridge/rpc-core";
import { createDeviceIdentity, signDeviceProof } from "./device-identity.js";
import type { DeviceIdentity } from "./device-identity.js";
import type { ExecAllowlistEntry } from "./exec-allowlist.js";
import { runSystemRun } from "./system-run.js";
import type { SystemRunParams } from "./system-run.js";

/** A custom command implementation: returns the payload, or throws `{code?, message}`. */
export type NodeCommandHandler = (params: unknown) => unknown;

/** Options of {@link MockNode}. */
export interface MockNodeOptions {
  /** Gateway URL (`ws://…`). */
  readonly url: string;
  /** Shared gateway token (`auth.token`). */
  readonly token?: string | undefined;
  /** Shared gateway password (`auth.password`). */
  readonly password?: string | undefined;
  /** Device token from an earlier `hello-ok` (`auth.deviceToken`). */
  readonly deviceToken?: string | undefined;
  /** Device identity. Default: a fresh Ed25519 key pair. */
  readonly identity?: DeviceIdentity | undefined;
  /** `client.displayName`. Default `mock-node`. */
  readonly displayName?: string | undefined;
  /** `client.platform`/`deviceFamily`. Default: from `process.platform` (`linux`/`Linux`). */
  readonly platform?: string | undefined;
  readonly deviceFamily?: string | undefined;
  /** Declared commands (`connect.commands`). Default `["system.run"]`. */
  readonly commands?: readonly string[] | undefined;
  /** Exec policy: `allowlist` (default), `full` or `deny`. */
  readonly security?: "allowlist" | "full" | "deny" | undefined;
  /** Exec allowlist entries. Default: none (everything is denied in allowlist mode). */
  readonly execAllowlist?: readonly ExecAllowlistEntry[] | undefined;
  /** The node's own environment, inherited by children. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Extra command implementations, by command name. */
  readonly handlers?: Readonly<Record<string, NodeCommandHandler>> | undefined;
  /**
   * Extra upgrade headers, e.g. `X-Forwarded-For` to look non-local (the gateway must trust
   * loopback as a proxy: MockGateway `trustedProxies: ["127.0.0.1"]`, else it answers 403).
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** `error.code` of a `system.run` denial. Default `SYSTEM_RUN_DENIED` (what OpenClaw's node host sends). */
  readonly denialErrorCode?: string | undefined;
}

/** One invoke the node served. */
export interface MockNodeInvocation {
  readonly id: string;
  readonly command: string;
  readonly params: unknown;
  readonly ok: boolean;
}

/**
 * A `role:"node"` client of a gateway with an Ed25519 device identity, built on
 * rpc-core's ws transport and {@link Peer}. It serves `node.invoke.request` events:
 * `system.run` spawns argv (no shell) when the exec allowlist allows it; other
 * commands come from `handlers`. Results go back with `node.invoke.result`.
 */
export class MockNode {
  readonly identity: DeviceIdentity;
  /** Invocations served so far, in order. */
  readonly invocations: MockNodeInvocation[] = [];
  readonly #options: MockNodeOptions;
  #peer: Peer | undefined;
  #hello: HelloOk | undefined;

  constructor(options: MockNodeOptions) {
    this.#options = options;
    this.identity = options.identity ?? createDeviceIdentity();
  }

  /** The node id (= device id). */
  get nodeId(): string {
    return this.identity.deviceId;
  }

  /** The `hello-ok` of the current connection. */
  get hello(): HelloOk | undefined {
    return this.#hello;
  }

  /** The connection's peer (while connected). */
  get peer(): Peer | undefined {
    return this.#peer;
  }

  get isConnected(): boolean {
    return this.#peer?.isOpen ?? false;
  }

  /**
   * Connects, answers the challenge with a signed `connect`, and starts serving.
   * Rejects with the gateway's `GatewayRequestError` when connect is refused
   * (e.g. `PAIRING_REQUIRED`).
   */
  async start(): Promise<HelloOk> {
    const transport = await connectWebSocket(this.#options.url, { headers: { ...this.#options.headers } });
    const peer = new Peer(transport, { requestTimeoutMs: 30_000 });
    const challenge = await new Promise<{ nonce: string; ts: number }>((resolve, reject) => {
      const offEvent = peer.onEvent((frame: EventFrame) => {
        if (frame.event !== "connect.challenge") return;
        offEvent();
        offClose();
        resolve(frame.payload as { nonce: string; ts: number });
      });
      const offClose = peer.onClose((info) => {
        offEvent();
        reject(new Error(`gateway closed before the challenge (${info.code}): ${info.reason}`));
      });
    });
    const identityDefaults = platformIdentity(osPlatform());
    const auth: NonNullable<ConnectParams["auth"]> = {};
    if (this.#options.token !== undefined) auth.token = this.#options.token;
    if (this.#options.password !== undefined) auth.password = this.#options.password;
    if (this.#options.deviceToken !== undefined) auth.deviceToken = this.#options.deviceToken;
    const params: Omit<ConnectParams, "device"> = {
      minProtocol: 4,
      maxProtocol: 4,
      client: {
        id: "node-host",
        displayName: this.#options.displayName ?? "mock-node",
        version: "2026.9.6",
        platform: this.#options.platform ?? identityDefaults.platform,
        deviceFamily: this.#options.deviceFamily ?? identityDefaults.deviceFamily,
        mode: "node",
      },
      caps: [],
      commands: [...(this.#options.commands ?? ["system.run"])],
      role: "node",
      scopes: [],
      auth,
    };
    const device = signDeviceProof(this.identity, params, challenge.nonce, challenge.ts);
    peer.onEvent((frame) => {
      if (frame.event === "node.invoke.request") void this.#serve(peer, frame.payload);
    });
    try {
      this.#hello = await peer.request<HelloOk>("connect", { ...params, device }, { timeoutMs: 15_000 });
    } catch (error) {
      peer.close();
      throw error;
    }
    this.#peer = peer;
    return this.#hello;
  }

  /** Disconnects (normal close). */
  async stop(): Promise<void> {
    const peer = this.#peer;
    this.#peer = undefined;
    if (peer === undefined || !peer.isOpen) return;
    const closed = new Promise<void>((resolve) => peer.transport.onClose(() => resolve()));
    peer.close(1000, "");
    await closed;
  }

  async #serve(peer: Peer, raw: unknown): Promise<void> {
    const parsed = NodeInvokeRequestPayload.safeParse(raw);
    if (!parsed.success) return;
    const request = parsed.data;
    let params: unknown;
    try {
      params = request.paramsJSON === undefined || request.paramsJSON === null ? undefined : JSON.parse(request.paramsJSON);
    } catch {
      params = undefined;
    }
    const result = await this.#execute(request.command, params, request.timeoutMs);
    this.invocations.push({ id: request.id, command: request.command, params, ok: result.ok });
    const frameParams: Record<string, unknown> = { id: request.id, nodeId: request.nodeId, ok: result.ok };
    if (result.ok) {
      frameParams["payload"] = result.payload;
      frameParams["payloadJSON"] = JSON.stringify(result.payload ?? null);
    } else {
      frameParams["error"] = result.error;
    }
    try {
      await peer.request("node.invoke.result", frameParams);
    } catch {
      // The gateway went away or dropped the result; nothing else to do.
    }
  }

  async #execute(
    command: string,
    params: unknown,
    timeoutMs: number | undefined,
  ): Promise<{ ok: true; payload: unknown } | { ok: false; error: { code: string; message: string } }> {
    const handler = this.#options.handlers?.[command];
    if (handler !== undefined) {
      try {
        return { ok: true, payload: await handler(params) };
      } catch (error) {
        const shape = error as { code?: unknown; message?: unknown };
        return {
          ok: false,
          error: {
            code: typeof shape.code === "string" ? shape.code : "UNAVAILABLE",
            message: typeof shape.message === "string" && shape.message !== "" ? shape.message : "command failed",
          },
        };
      }
    }
    if (command === "system.run") {
      const runParams = (typeof params === "object" && params !== null ? params : {}) as SystemRunParams;
      const outcome = await runSystemRun(
        { ...runParams, timeoutMs: runParams.timeoutMs ?? timeoutMs },
        {
          security: this.#options.security ?? "allowlist",
          allowlist: this.#options.execAllowlist ?? [],
          env: this.#options.env ?? process.env,
        },
      );
      if (!outcome.ok && outcome.error.message.startsWith("SYSTEM_RUN_DENIED")) {
        return { ok: false, error: { code: this.#options.denialErrorCode ?? "SYSTEM_RUN_DENIED", message: outcome.error.message } };
      }
      return outcome;
    }
    return { ok: false, error: { code: "UNAVAILABLE", message: `command not supported: ${command}` } };
  }
}

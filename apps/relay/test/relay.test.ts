import { createHash } from "node:crypto";
import { join } from "node:path";
import type { GatewayClient } from "@clawbridge/client";
import type { MockGateway } from "@clawbridge/mock-gateway";
import { ConnectError, isGatewayRequestError } from "@clawbridge/rpc-core";
import type { GatewayRequestError } from "@clawbridge/rpc-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { tokenConfigLine } from "../src/hash-token.js";
import { RELAY_POLICY_DENIED } from "../src/policy/policy-denial.js";
import {
  hashToken,
  metricsText,
  newToken,
  relayClient,
  relayYaml,
  sample,
  startRelay,
  startUpstream,
  tempDir,
  waitFor,
  writeSecret,
} from "./helpers/harness.js";
import type { TestRelay } from "./helpers/harness.js";
import { rawConnect } from "./helpers/raw-client.js";

const UPSTREAM_TOKEN = newToken();
const GW3_TOKEN = newToken();
const WN1 = newToken();
const STAR = newToken();
const NARROW = newToken();
const TIGHT = newToken();
/** A token issued with surrounding whitespace (and one inside, which is part of it). */
const PADDED = `  ${newToken()} ${newToken()}\t`;
const SECRET_MARKER = "do-not-log-this-value-7f3a";
/** What an edge in front of gw3 wants on the upgrade request (`upstreams.gw3.headers`). */
const EDGE_SECRET = newToken();

async function callError(promise: Promise<unknown>): Promise<GatewayRequestError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isGatewayRequestError(error)) throw new Error(`expected a gateway error, got ${String(error)}`);
  return error;
}

describe("relay against MockGateway", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gw2: MockGateway;
  let gw3: MockGateway;
  let relay: TestRelay;
  const clients: GatewayClient[] = [];
  const connect = async (token: string, path = "/gw/gw2"): Promise<GatewayClient> => {
    const client = relayClient(relay.url(path), token, dir);
    clients.push(client);
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    gw2 = await startUpstream(UPSTREAM_TOKEN);
    gw3 = await startUpstream(GW3_TOKEN);
    gw3.setHealth({ marker: "gw3" });
    for (const nodeId of ["n1", "n2"]) {
      gw2.addFakeNode({
        nodeId,
        displayName: nodeId,
        commands: ["system.which", "system.run", "system.notify"],
        handler: (command, params) => ({ ran: command, params }),
      });
    }
    // A two-phase method, as OpenClaw's `agent`: accepted first, final later.
    gw2.server.router.register("agent", async ({ accept, params }) => {
      const runId = (params as { idempotencyKey?: string }).idempotencyKey ?? "run";
      accept({ runId, acceptedAt: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { runId, status: "ok", summary: "completed", result: { text: "done" } };
    });
    await writeSecret(join(dir, "gw2.token"), UPSTREAM_TOKEN);
    await writeSecret(join(dir, "gw3.token"), GW3_TOKEN);
    await writeSecret(join(dir, "edge.secret"), EDGE_SECRET);
    const yaml = relayYaml({
      stateDir: join(dir, "state"),
      extra: "limits: { upstreamTimeoutMs: 1500 }",
      upstreams: {
        gw2: { url: gw2.url, tokenFile: join(dir, "gw2.token") },
        gw3: { url: gw3.url, tokenFile: join(dir, "gw3.token"), extra: `    headers: { X-Edge-Auth: { file: ${join(dir, "edge.secret")} } }\n` },
      },
      clients: `  wn1:
    tokenSha256: ${hashToken(WN1)}
    upstreams: [gw2]
    allow: [health, status, system-presence, "node.list", "node.describe", "node.invoke", "config.get", last-heartbeat]
    nodes: [n1]
    commands: [system.which]
    methodRateLimits: { status: { perMinute: 2 } }
    maxPayloadBytes: 512
  star:
    tokenSha256: ${hashToken(STAR)}
    upstreams: [gw2]
    allow: ["*"]
    commands: ["*"]
  narrow:
    tokenSha256: ${hashToken(NARROW)}
    upstreams: [gw2, gw3]
    allow: [health]
  tight:
    tokenSha256: ${hashToken(TIGHT)}
    upstreams: [gw2]
    allow: [health, last-heartbeat]
    maxInFlight: 1
  padded:
    ${tokenConfigLine(`${PADDED}\n`)}
    upstreams: [gw2]
    allow: [health]
`,
    });
    relay = await startRelay(dir, yaml);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await relay?.close();
    await gw2?.stop();
    await gw3?.stop();
    await cleanup?.();
  });

  it("advertises only the methods and scopes the client's policy allows", async () => {
    const client = await connect(WN1);
    const hello = client.hello;
    expect(hello?.auth.role).toBe("operator");
    // node.invoke needs write (which also covers read); nothing else is asked for.
    expect(hello?.auth.scopes).toEqual(["operator.read", "operator.write"]);
    const methods = new Set(hello?.features.methods);
    for (const method of ["health", "status", "system-presence", "node.list", "node.describe", "node.invoke", "last-heartbeat"]) {
      expect(methods.has(method)).toBe(true);
    }
    for (const method of ["logs.tail", "device.pair.list", "node.pair.list", "agent"]) expect(methods.has(method)).toBe(false);
    // Events the client could never receive are not advertised either.
    expect(hello?.features.events).toContain("node.presence");
    expect(hello?.features.events).not.toContain("exec.approval.requested");
    expect(hello?.features.events).not.toContain("device.pair.requested");
  });

  it("builds each hello-ok from its own socket's admission when handshakes of different clients interleave", async () => {
    const tokens = [WN1, STAR, NARROW, TIGHT, WN1, NARROW, STAR, TIGHT];
    const connected = await Promise.all(tokens.map((token) => connect(token)));
    const expected = new Map<string, GatewayClient>();
    for (const [index, client] of connected.entries()) {
      const token = tokens[index] as string;
      expect(client.state).toBe("open");
      // Same client, same view; different clients, different views.
      const first = expected.get(token);
      if (first === undefined) expected.set(token, client);
      else expect(client.hello?.features).toEqual(first.hello?.features);
    }
    const methodsOf = (token: string): string[] => [...(expected.get(token)?.hello?.features.methods ?? [])];
    expect(methodsOf(NARROW)).toEqual(["health"]);
    expect(methodsOf(TIGHT).sort()).toEqual(["health", "last-heartbeat"]);
    expect(methodsOf(STAR)).toContain("node.list");
    expect(expected.get(NARROW)?.hello?.features.events).not.toEqual(expected.get(STAR)?.hello?.features.events);
  });

  it("forwards an allowed call and filters node.list to the client's nodes", async () => {
    const client = await connect(WN1);
    const list = await client.call<{ nodes: { nodeId: string }[] }>("node.list", {});
    expect(list.nodes.map((node) => node.nodeId)).toEqual(["n1"]);
    const star = await connect(STAR);
    const all = await star.call<{ nodes: { nodeId: string }[] }>("node.list", {});
    expect(all.nodes.map((node) => node.nodeId).sort()).toEqual(["n1", "n2"]);
    await expect(client.call("node.describe", { nodeId: "n1" })).resolves.toMatchObject({ nodeId: "n1" });
    await expect(
      client.call("node.invoke", { nodeId: "n1", command: "system.which", params: { name: "ls" }, idempotencyKey: "k1" }),
    ).resolves.toMatchObject({ ok: true, nodeId: "n1", command: "system.which", payload: { ran: "system.which" } });
  });

  it("refuses denied methods, nodes, commands, rates and sizes with the documented codes, and counts them", async () => {
    const client = await connect(WN1);
    const before = await metricsText(relay);

    const method = await callError(client.call("logs.tail", {}));
    expect(method.code).toBe("FORBIDDEN");
    expect(method.details).toMatchObject({ code: RELAY_POLICY_DENIED, rule: "methodNotAllowed", method: "logs.tail" });

    const node = await callError(client.call("node.describe", { nodeId: "n2" }));
    expect(node.code).toBe("FORBIDDEN");
    expect(node.details).toMatchObject({ code: RELAY_POLICY_DENIED, rule: "node", nodeId: "n2" });

    const command = await callError(
      client.call("node.invoke", { nodeId: "n1", command: "system.run", params: { command: ["id"] }, idempotencyKey: "k2" }),
    );
    expect(command.code).toBe("FORBIDDEN");
    expect(command.details).toMatchObject({ code: RELAY_POLICY_DENIED, rule: "command", command: "system.run" });

    await client.call("status", {});
    await client.call("status", {});
    const rate = await callError(client.call("status", {}));
    expect(rate.code).toBe("UNAVAILABLE");
    expect(rate.retryable).toBe(true);
    expect(rate.retryAfterMs).toBeGreaterThan(0);
    expect(rate.details).toMatchObject({ code: RELAY_POLICY_DENIED, rule: "rateLimit", scope: "method", limit: "2 per 60s" });

    const size = await callError(client.call("node.describe", { nodeId: "n1", padding: "x".repeat(600) }));
    expect(size.code).toBe("FORBIDDEN");
    expect(size.details).toMatchObject({ code: RELAY_POLICY_DENIED, rule: "maxPayload", maxPayloadBytes: 512 });

    const after = await metricsText(relay);
    for (const rule of ["methodNotAllowed", "node", "command", "rateLimit", "maxPayload"]) {
      const delta = sample(after, "clawbridge_relay_policy_denials_total", { rule, client: "wn1" }) -
        sample(before, "clawbridge_relay_policy_denials_total", { rule, client: "wn1" });
      expect(delta, rule).toBe(1);
    }
    const denied = (text: string, m: string): number => sample(text, "clawbridge_relay_requests_total", { upstream: "gw2", method: m, outcome: "denied" });
    expect(denied(after, "logs.tail") - denied(before, "logs.tail")).toBe(1);
    expect(denied(after, "status") - denied(before, "status")).toBe(1);
    const ok = (text: string): number => sample(text, "clawbridge_relay_requests_total", { upstream: "gw2", method: "status", outcome: "ok" });
    expect(ok(after) - ok(before)).toBe(2);
    expect(after).toMatch(/clawbridge_relay_upstream_latency_seconds_bucket\{le="[^"]+",upstream="gw2",method="status"\}/);
  });

  it("keeps the default-deny families closed to wildcards, open only to exact names", async () => {
    const star = await connect(STAR);
    for (const method of ["config.get", "config.set", "exec.approvals.get", "wizard.start", "update.run", "device.pair.list", "node.pair.approve"]) {
      const error = await callError(star.call(method, {}));
      expect(error.code, method).toBe("FORBIDDEN");
      expect(error.details, method).toMatchObject({ code: RELAY_POLICY_DENIED, rule: "defaultDeny" });
    }
    // wn1 names config.get exactly: the relay lets it through, and the upstream's own answer comes back unchanged.
    const wn1 = await connect(WN1);
    const upstream = await callError(wn1.call("config.get", {}));
    expect(upstream.toErrorShape()).toEqual({ code: "INVALID_REQUEST", message: "unknown method: config.get" });
  });

  it("passes upstream errors through unchanged", async () => {
    const star = await connect(STAR);
    const viaRelay = await callError(star.call("node.describe", { nodeId: "nope" }));
    const direct = relayClient(gw2.url, UPSTREAM_TOKEN, dir, { device: "never" });
    clients.push(direct);
    const fromGateway = await callError(direct.call("node.describe", { nodeId: "nope" }));
    expect(viaRelay.toErrorShape()).toEqual(fromGateway.toErrorShape());
    gw2.faults.set("system-presence", { error: { code: "UNAVAILABLE", message: "busy", retryable: true, retryAfterMs: 250, details: { why: "x" } }, times: 1 });
    const injected = await callError(star.call("system-presence", {}));
    expect(injected.toErrorShape()).toEqual({ code: "UNAVAILABLE", message: "busy", retryable: true, retryAfterMs: 250, details: { why: "x" } });
  });

  it("passes two-phase answers through: accepted, then final", async () => {
    const star = await connect(STAR);
    const accepted: Record<string, unknown>[] = [];
    const final = await star.call("agent", { message: "hi", idempotencyKey: "run-1" }, { expectFinal: true, onAccepted: (payload) => accepted.push(payload) });
    expect(accepted).toEqual([expect.objectContaining({ runId: "run-1", status: "accepted" })]);
    expect(final).toMatchObject({ runId: "run-1", status: "ok", summary: "completed" });
    // Without expectFinal the first (accepted) answer settles the call, as on a gateway.
    await expect(star.call("agent", { message: "hi", idempotencyKey: "run-2" })).resolves.toMatchObject({ runId: "run-2", status: "accepted" });
  });

  it("sends an upstream's configured headers on its own upgrade request, and never logs them", () => {
    const headersOf = (gateway: MockGateway): (string | string[] | undefined)[] =>
      [...gateway.server.connections].map((connection) => connection.socket.headers["x-edge-auth"]);
    expect(headersOf(gw3)).toEqual([EDGE_SECRET]);
    expect(headersOf(gw2)).not.toContain(EDGE_SECRET);
    expect(relay.log.text).not.toContain(EDGE_SECRET);
  });

  it("routes by /gw/<id> or the client's default upstream, and refuses unknown or disallowed upstreams", async () => {
    const viaPath = await connect(NARROW, "/gw/gw3");
    expect(await viaPath.call("health", {})).toMatchObject({ marker: "gw3" });
    const viaDefault = await connect(NARROW, "/");
    expect(await viaDefault.call("health", {})).not.toHaveProperty("marker");

    const unknown = await relayClient(relay.url("/gw/nope"), NARROW, dir).connect().catch((error: unknown) => error);
    expect(unknown).toMatchObject({ code: "INVALID_REQUEST", detailCode: "RELAY_UNKNOWN_UPSTREAM" });
    const disallowed = await relayClient(relay.url("/gw/gw3"), WN1, dir).connect().catch((error: unknown) => error);
    expect(disallowed).toMatchObject({ code: "INVALID_REQUEST", detailCode: RELAY_POLICY_DENIED });
    expect((disallowed as { details: unknown }).details).toMatchObject({ rule: "upstream", upstream: "gw3" });
    const notRelay = await relayClient(relay.url("/elsewhere"), WN1, dir).connect().catch((error: unknown) => error);
    expect(notRelay).toBeInstanceOf(ConnectError);
    expect(notRelay).toMatchObject({ code: "UPGRADE_REJECTED", httpStatus: 404 });
    const wrongToken = await relayClient(relay.url("/"), UPSTREAM_TOKEN, dir).connect().catch((error: unknown) => error);
    expect(wrongToken).toMatchObject({ code: "INVALID_REQUEST", detailCode: "AUTH_TOKEN_MISMATCH" });
    // The relay's own wording (OpenClaw's gateway.remote.token advice means nothing for a relay-issued token), OpenClaw's details.
    expect((wrongToken as Error).message).toContain("unauthorized: relay token mismatch (use the token the relay operator issued for this client");
    expect((wrongToken as Error).message).not.toContain("gateway.remote.token");
    expect((wrongToken as { details: unknown }).details).toMatchObject({ code: "AUTH_TOKEN_MISMATCH", authReason: "token_mismatch", recommendedNextStep: "update_auth_credentials" });
    const noToken = await relayClient(relay.url("/"), "", dir).connect().catch((error: unknown) => error);
    expect(noToken).toMatchObject({ code: "INVALID_REQUEST", detailCode: "AUTH_TOKEN_MISSING" });
    expect((noToken as Error).message).toContain("unauthorized: relay token missing");
  });

  it("authenticates a token hashed by hash-token with its surrounding whitespace, presented as issued or trimmed", async () => {
    for (const presented of [PADDED, PADDED.trim()]) {
      const raw = await rawConnect(relay.url("/"), presented);
      expect(await raw.request("h1", "health", {})).toMatchObject({ ok: true });
      raw.socket.close();
    }
    // Inner whitespace is part of the token.
    const squeezed = await relayClient(relay.url("/"), PADDED.trim().replace(" ", ""), dir).connect().catch((error: unknown) => error);
    expect(squeezed).toMatchObject({ code: "INVALID_REQUEST", detailCode: "AUTH_TOKEN_MISMATCH" });
  });

  it("fans events out only to clients whose policy allows them", async () => {
    const wn1 = await connect(WN1);
    const star = await connect(STAR);
    const seen: string[] = [];
    wn1.events.onAny((event) => seen.push(`${event.event}:${JSON.stringify(event.payload)}`));
    const starApproval = star.events.next("exec.approval.requested");
    const last = wn1.events.next("node.presence");
    gw2.broadcast("exec.approval.requested", { id: "a1" });
    gw2.broadcast("node.presence", { nodeId: "n2", state: "x" });
    gw2.broadcast("node.presence", { nodeId: "n1", state: "y" });
    await expect(starApproval).resolves.toMatchObject({ payload: { id: "a1" } });
    await expect(last).resolves.toMatchObject({ payload: { nodeId: "n1" } });
    // Same socket, in order: had n2 or the approval been forwarded, they would have arrived first.
    expect(seen.filter((line) => !line.startsWith("tick") && !line.startsWith("health"))).toEqual([
      'node.presence:{"nodeId":"n1","state":"y"}',
    ]);
  });

  it("caps requests in flight per client", async () => {
    const tight = await connect(TIGHT);
    gw2.faults.set("last-heartbeat", { drop: true, times: 1 });
    const first = tight.call("last-heartbeat", {}).catch((error: unknown) => error);
    await waitFor(() => relay.relay.inFlight === 1, 5_000, "first request in flight");
    const second = await callError(tight.call("health", {}));
    expect(second.code).toBe("UNAVAILABLE");
    expect(second.retryable).toBe(true);
    expect(second.details).toMatchObject({ code: RELAY_POLICY_DENIED, rule: "maxInFlight" });
    // The dropped request ends at the relay's upstream deadline, as a retryable timeout.
    const timedOut = await first;
    expect(isGatewayRequestError(timedOut)).toBe(true);
    expect((timedOut as GatewayRequestError).details).toMatchObject({ code: "RELAY_UPSTREAM_TIMEOUT", upstream: "gw2" });
    await expect(tight.call("health", {})).resolves.toBeDefined();
  });

  it("never forwards client headers upstream and never sends the upstream token downstream", async () => {
    const inbound: string[] = [];
    const socket = new WebSocket(relay.url("/gw/gw2"), {
      headers: {
        "X-Forwarded-For": "203.0.113.9",
        Forwarded: "for=203.0.113.9",
        "X-Real-IP": "203.0.113.9",
        Authorization: `Bearer ${UPSTREAM_TOKEN}`,
        Cookie: "session=abc",
        "Tailscale-User-Login": "mallory@example.com",
      },
    });
    const next = (): Promise<Record<string, unknown>> =>
      new Promise((resolve) => socket.once("message", (data) => {
        inbound.push(String(data));
        resolve(JSON.parse(String(data)) as Record<string, unknown>);
      }));
    const challenge = await next();
    expect(challenge).toMatchObject({ event: "connect.challenge" });
    const send = (frame: unknown): void => socket.send(JSON.stringify(frame));
    send({
      type: "req",
      id: "c1",
      method: "connect",
      params: { minProtocol: 4, maxProtocol: 4, client: { id: "test", version: "1", platform: "linux", mode: "test" }, role: "operator", scopes: [], auth: { token: STAR } },
    });
    const hello = await next();
    expect(hello).toMatchObject({ ok: true, payload: { type: "hello-ok" } });
    socket.on("message", (data) => inbound.push(String(data)));
    const answers = new Map<string, Record<string, unknown>>();
    socket.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      if (frame["type"] === "res") answers.set(String(frame["id"]), frame);
    });
    send({ type: "req", id: "r1", method: "status", params: {} });
    send({ type: "req", id: "r2", method: "config.set", params: { raw: SECRET_MARKER } });
    send({ type: "req", id: "r3", method: "node.describe", params: { nodeId: SECRET_MARKER } });
    send({ type: "req", id: "r4", method: "health", params: { probe: false } });
    await waitFor(() => answers.size === 4, 5_000, "four answers");
    expect(answers.get("r2")).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    socket.close();

    // Nothing the client sent in its upgrade request reached the gateway: the relay's own connection carries no such header.
    for (const connection of gw2.server.connections) {
      const names = Object.keys(connection.socket.headers);
      for (const banned of ["x-forwarded-for", "forwarded", "x-real-ip", "authorization", "cookie", "tailscale-user-login"]) {
        expect(names).not.toContain(banned);
      }
    }
    const everything = inbound.join("\n");
    expect(everything).not.toContain(UPSTREAM_TOKEN);
    // Audit lines: one per request, with a hash of params and never a credential or a params body.
    expect(relay.audit.text).not.toContain(UPSTREAM_TOKEN);
    expect(relay.audit.text).not.toContain(STAR);
    expect(relay.audit.text).not.toContain(SECRET_MARKER);
    expect(relay.log.text).not.toContain(UPSTREAM_TOKEN);
    expect(relay.log.text).not.toContain(STAR);
    const line = relay.audit.find({ event: "request", client: "star", method: "node.describe" }).at(-1);
    expect(line).toMatchObject({ upstream: "gw2", decision: "allow", outcome: "upstream_error", code: "INVALID_REQUEST" });
    expect(line?.["paramsSha256"]).toBe(createHash("sha256").update(JSON.stringify({ nodeId: SECRET_MARKER })).digest("hex"));
    expect(typeof line?.["latencyMs"]).toBe("number");
    const denied = relay.audit.find({ event: "request", client: "star", method: "config.set" }).at(-1);
    expect(denied).toMatchObject({ decision: "deny", rule: "defaultDeny", outcome: "denied" });
    expect(Object.keys(denied ?? {})).not.toContain("params");
  });
});

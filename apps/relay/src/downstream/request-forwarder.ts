import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { ErrorCodes } from "@clawbridge/protocol";
import type { ErrorShape } from "@clawbridge/protocol";
import { gatewayError, isGatewayRequestError } from "@clawbridge/rpc-core";
import type { AuthorizeHook, GatewayRequestError, RequestContext, RequestHandler } from "@clawbridge/rpc-core";
import type { ServerConnection } from "@clawbridge/server";
import { requestAuditLine } from "../ops/audit-line.js";
import type { RequestOutcome, RelayMetrics } from "../ops/relay-metrics.js";
import type { ClientPolicy } from "../policy/client-policy.js";
import { denialError } from "../policy/policy-denial.js";
import type { PolicyDenial } from "../policy/policy-denial.js";
import type { PolicySet } from "../policy/policy-set.js";
import type { RateLimits } from "../policy/rate-limits.js";
import type { UpstreamPool } from "../upstream/upstream-pool.js";
import { RelaySession } from "./relay-session.js";
import { RELAY_DRAINING, mapUpstreamFailure } from "./upstream-errors.js";

/** Time limits of forwarded requests (ms). */
export interface ForwardLimits {
  /** Until the upstream's first answer. */
  readonly upstreamTimeoutMs: number;
  /** From an `accepted` answer to the final one. */
  readonly acceptedTimeoutMs: number;
}

/** What the forwarder needs from the relay. */
export interface RequestForwarderDeps {
  policies(): PolicySet;
  readonly pool: UpstreamPool;
  readonly rateLimits: RateLimits;
  readonly metrics: RelayMetrics;
  /** Appends one serialized audit line (see `requestAuditLine`). */
  auditLine(line: string): void;
  readonly limits: ForwardLimits;
  /** True while draining: new requests are refused (retryable) so clients move to another replica. */
  draining(): boolean;
  /** The metric label for a method: itself when known, `(other)` otherwise. */
  methodLabel(method: string): string;
}

/** Params texts up to this length have their digest cached (`{}` and other small, repeated params). */
const DIGEST_CACHE_MAX_TEXT = 256;
/** Cached digests; the cache is emptied when it reaches this size. */
const DIGEST_CACHE_SIZE = 1_024;
const digestCache = new Map<string, { sha256: string; bytes: number }>();

/** SHA-256 and size of a request's params as JSON, for the audit log and the size limit. */
function digestParams(params: unknown): { sha256: string; bytes: number } {
  const text = JSON.stringify(params) ?? "";
  const small = text.length <= DIGEST_CACHE_MAX_TEXT;
  const cached = small ? digestCache.get(text) : undefined;
  if (cached !== undefined) return cached;
  const digest = { sha256: createHash("sha256").update(text, "utf8").digest("hex"), bytes: Buffer.byteLength(text, "utf8") };
  if (small) {
    if (digestCache.size >= DIGEST_CACHE_SIZE) digestCache.clear();
    digestCache.set(text, digest);
  }
  return digest;
}

/** Idle controllers kept for reuse (see {@link RequestForwarder}'s `#stops`). */
const MAX_SPARE_CONTROLLERS = 1_024;

/** What one audit line says about a request (never params, payloads or credentials). */
interface AuditRecord {
  readonly decision: "allow" | "deny";
  readonly outcome: RequestOutcome;
  readonly rule?: string | undefined;
  readonly code?: string | undefined;
}

/**
 * Serves every client request: the policy's method check runs as the server's
 * `authorize` hook (before method lookup, so an unknown method that is not allowed is
 * refused by policy, not reported as unknown); the handler checks draining, payload
 * size, params (nodes, node commands), rate limits and in-flight caps, then forwards
 * over the upstream link and maps the answer back. Each request ends in exactly one
 * audit line and one `requests_total` increment.
 */
export class RequestForwarder {
  readonly #deps: RequestForwarderDeps;
  readonly #inFlightByClient = new Map<string, number>();
  /**
   * Controllers of finished requests that were never aborted, reused by later requests:
   * creating an `AbortController` (and the first listener on its signal) costs ~9 µs on
   * Node 20, more than the rest of the relay's per-request bookkeeping. A controller is
   * returned only once its request settled, when the upstream client has removed its
   * listener and nothing else holds it; an aborted one is dropped.
   */
  readonly #stops: AbortController[] = [];
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(deps: RequestForwarderDeps) {
    this.#deps = deps;
  }

  /** Requests awaiting their first upstream answer, relay-wide. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves once nothing is in flight. */
  whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** The server's authorize hook: the client's method allowlist. */
  readonly authorize: AuthorizeHook<ServerConnection> = (method, params, connection): ErrorShape | undefined => {
    const session = RelaySession.of(connection);
    const policy = session === undefined ? undefined : this.#deps.policies().clients.get(session.clientId);
    if (session === undefined || policy === undefined) {
      return { code: ErrorCodes.FORBIDDEN, message: "relay policy: this client is no longer configured" };
    }
    const denial = policy.checkMethod(method);
    if (denial === undefined) return undefined;
    const error = denialError(denial);
    this.#record(session, method, digestParams(params), performance.now(), { decision: "deny", outcome: "denied", rule: denial.rule, code: error.code });
    this.#deps.metrics.denials.inc({ rule: denial.rule, client: session.clientId });
    return error.toErrorShape();
  };

  /** The handler registered for every forwardable method. */
  readonly handle: RequestHandler<ServerConnection> = async (request) => {
    const started = performance.now();
    const session = RelaySession.of(request.ctx);
    const policy = session === undefined ? undefined : this.#deps.policies().clients.get(session.clientId);
    if (session === undefined || policy === undefined) {
      throw gatewayError(ErrorCodes.FORBIDDEN, "relay policy: this client is no longer configured");
    }
    const digest = digestParams(request.params);
    const deny = (denial: PolicyDenial): GatewayRequestError => {
      const error = denialError(denial);
      this.#deps.metrics.denials.inc({ rule: denial.rule, client: session.clientId });
      this.#record(session, request.method, digest, started, { decision: "deny", outcome: "denied", rule: denial.rule, code: error.code });
      return error;
    };

    if (this.#deps.draining()) {
      const error = gatewayError(ErrorCodes.UNAVAILABLE, "relay is draining; reconnect to another replica", { code: RELAY_DRAINING }, {
        retryable: true,
        retryAfterMs: 1_000,
      });
      this.#record(session, request.method, digest, started, { decision: "allow", outcome: "unavailable", code: error.code });
      throw error;
    }
    if (digest.bytes > policy.limits.maxPayloadBytes) {
      throw deny({
        rule: "maxPayload",
        message: `relay policy: params of ${digest.bytes} bytes exceed this client's limit of ${policy.limits.maxPayloadBytes} bytes`,
        details: { method: request.method, bytes: digest.bytes, maxPayloadBytes: policy.limits.maxPayloadBytes },
      });
    }
    const paramsDenial = policy.checkParams(request.method, request.params);
    if (paramsDenial !== undefined) throw deny(paramsDenial);
    const limited = this.#deps.rateLimits.consume(policy, request.method);
    const rateDenial = limited === undefined ? undefined : await limited;
    if (rateDenial !== undefined) throw deny(rateDenial);
    const clientInFlight = this.#inFlightByClient.get(policy.id) ?? 0;
    if (clientInFlight >= policy.limits.maxInFlight) {
      throw deny({
        rule: "maxInFlight",
        message: `relay policy: this client already has ${clientInFlight} requests in flight (limit ${policy.limits.maxInFlight})`,
        details: { method: request.method, maxInFlight: policy.limits.maxInFlight },
      });
    }
    return this.#forward(request, session, policy, digest, started);
  };

  async #forward(
    request: RequestContext<ServerConnection>,
    session: RelaySession,
    policy: ClientPolicy,
    digest: { sha256: string; bytes: number },
    started: number,
  ): Promise<unknown> {
    const { upstreamId } = session;
    const link = this.#deps.pool.get(upstreamId);
    const labels = { upstream: upstreamId, method: this.#deps.methodLabel(request.method) };
    // One controller per request ends the wait: the relay's deadline, or the client closing
    // (RelaySession.abandon). Cheaper than combining the connection's signal per request.
    const stop = this.#stops.pop() ?? new AbortController();
    session.pending.add(stop);
    let timedOutAfterMs: number | undefined;
    const arm = (ms: number): ReturnType<typeof setTimeout> =>
      setTimeout(() => {
        timedOutAfterMs = ms;
        stop.abort();
      }, ms);
    let timer = arm(this.#deps.limits.upstreamTimeoutMs);
    const forwardedAt = performance.now();
    let holding = true;
    this.#hold(policy.id, 1);
    /** Ends the in-flight hold; `answered` when the upstream itself answered (its latency counts). */
    const release = (answered: boolean): void => {
      if (!holding) return;
      holding = false;
      this.#hold(policy.id, -1);
      if (answered) this.#deps.metrics.upstreamLatency.observe(labels, (performance.now() - forwardedAt) / 1_000);
    };
    try {
      if (link === undefined) throw new Error(`no link for upstream ${upstreamId}`);
      const payload = await link.call(request.method, request.params, {
        signal: stop.signal,
        traceparent: request.frame.traceparent,
        // An answer the policy need not narrow is passed on as the upstream wrote it, unparsed.
        rawPayload: !policy.filtersResult(request.method),
        onAccepted: (accepted) => {
          // Two-phase method: pass the acknowledgement on, stop counting it as in flight,
          // and give the final answer its own, longer deadline.
          release(true);
          clearTimeout(timer);
          timer = arm(this.#deps.limits.acceptedTimeoutMs);
          request.accept(accepted);
        },
      });
      release(true);
      this.#record(session, request.method, digest, started, { decision: "allow", outcome: "ok" });
      return policy.filterResult(request.method, payload);
    } catch (error) {
      release(isGatewayRequestError(error));
      if (stop.signal.aborted && timedOutAfterMs === undefined) {
        // The client went away: nobody is left to answer.
        this.#record(session, request.method, digest, started, { decision: "allow", outcome: "cancelled" });
        throw error;
      }
      const mapped = mapUpstreamFailure(error, upstreamId, timedOutAfterMs);
      this.#record(session, request.method, digest, started, { decision: "allow", outcome: mapped.outcome, code: mapped.error.code });
      throw mapped.error;
    } finally {
      clearTimeout(timer);
      session.pending.delete(stop);
      if (!stop.signal.aborted && this.#stops.length < MAX_SPARE_CONTROLLERS) this.#stops.push(stop);
    }
  }

  #hold(clientId: string, delta: 1 | -1): void {
    const next = (this.#inFlightByClient.get(clientId) ?? 0) + delta;
    if (next <= 0) this.#inFlightByClient.delete(clientId);
    else this.#inFlightByClient.set(clientId, next);
    this.#inFlight += delta;
    this.#deps.metrics.inFlight.set(this.#inFlight);
    if (this.#inFlight === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #record(
    session: RelaySession,
    method: string,
    digest: { sha256: string; bytes: number },
    started: number,
    record: AuditRecord,
  ): void {
    const latencyMs = Math.round((performance.now() - started) * 1_000) / 1_000;
    this.#deps.metrics.requests.inc({ upstream: session.upstreamId, method: this.#deps.methodLabel(method), outcome: record.outcome });
    this.#deps.auditLine(
      requestAuditLine({
        client: session.clientId,
        upstream: session.upstreamId,
        conn: session.connId,
        method: method.length > 128 ? `${method.slice(0, 127)}…` : method,
        decision: record.decision,
        outcome: record.outcome,
        rule: record.rule,
        code: record.code,
        latencyMs,
        paramsSha256: digest.sha256,
        paramsBytes: digest.bytes,
      }),
    );
  }
}

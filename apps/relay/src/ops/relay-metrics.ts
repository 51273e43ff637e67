import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Outcome label of `clawbridge_relay_requests_total`. */
export type RequestOutcome = "ok" | "upstream_error" | "denied" | "unavailable" | "timeout" | "cancelled";

/**
 * The relay's Prometheus metrics (`prom-client`, one registry per relay so replicas in
 * one test process do not share counters). Label values are bounded: upstream and
 * client ids come from the config, methods outside the catalogue and the upstreams'
 * advertised lists are counted as `(other)` (a client could otherwise create a series
 * per invented method name).
 */
export class RelayMetrics {
  readonly registry = new Registry();
  /** Open client connections by upstream. */
  readonly connections = new Gauge({
    name: "clawbridge_relay_client_connections",
    help: "Open client connections (after hello-ok), by upstream.",
    labelNames: ["upstream"] as const,
    registers: [this.registry],
  });
  /** Client handshakes by outcome (`accepted`, `rejected`). */
  readonly handshakes = new Counter({
    name: "clawbridge_relay_client_handshakes_total",
    help: "Client connect attempts, by outcome (accepted, rejected).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  /** Requests by upstream, method and outcome. */
  readonly requests = new Counter({
    name: "clawbridge_relay_requests_total",
    help: "Client requests, by upstream, method and outcome (ok, upstream_error, denied, unavailable, timeout, cancelled).",
    labelNames: ["upstream", "method", "outcome"] as const,
    registers: [this.registry],
  });
  /** Policy refusals by rule and client. */
  readonly denials = new Counter({
    name: "clawbridge_relay_policy_denials_total",
    help: "Requests and connections refused by relay policy, by rule and client.",
    labelNames: ["rule", "client"] as const,
    registers: [this.registry],
  });
  /** Upstream round-trip time of forwarded requests (seconds, until the first answer). */
  readonly upstreamLatency = new Histogram({
    name: "clawbridge_relay_upstream_latency_seconds",
    help: "Time from forwarding a request upstream to its first answer, in seconds.",
    labelNames: ["upstream", "method"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  /** 1 while an upstream is connected and authorized. */
  readonly upstreamUp = new Gauge({
    name: "clawbridge_relay_upstream_up",
    help: "1 while the upstream connection is open and authorized, else 0.",
    labelNames: ["upstream"] as const,
    registers: [this.registry],
  });
  /** Upstream connection losses. */
  readonly upstreamDisconnects = new Counter({
    name: "clawbridge_relay_upstream_disconnects_total",
    help: "Upstream connections lost, by upstream.",
    labelNames: ["upstream"] as const,
    registers: [this.registry],
  });
  /** Requests awaiting their first upstream answer. */
  readonly inFlight = new Gauge({
    name: "clawbridge_relay_requests_in_flight",
    help: "Requests forwarded upstream and not yet answered.",
    registers: [this.registry],
  });
  /** Upstream events delivered to clients. */
  readonly eventsForwarded = new Counter({
    name: "clawbridge_relay_events_forwarded_total",
    help: "Upstream events written to client connections, by upstream.",
    labelNames: ["upstream"] as const,
    registers: [this.registry],
  });
  /** Bytes on client sockets (TLS and WebSocket framing included). */
  readonly clientBytes = new Counter({
    name: "clawbridge_relay_client_bytes_total",
    help: "Bytes read from (in) and written to (out) client sockets.",
    labelNames: ["direction"] as const,
    registers: [this.registry],
  });
  /** Policy reloads by outcome (`ok`, `invalid`). */
  readonly reloads = new Counter({
    name: "clawbridge_relay_policy_reloads_total",
    help: "Policy reloads (SIGHUP), by outcome (ok, invalid).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const outcome of ["accepted", "rejected"]) this.handshakes.inc({ outcome }, 0);
    for (const outcome of ["ok", "invalid"]) this.reloads.inc({ outcome }, 0);
    for (const direction of ["in", "out"]) this.clientBytes.inc({ direction }, 0);
  }

  /** Prometheus text exposition of every metric. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

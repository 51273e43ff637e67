import { RawJson } from "@clawbridge/rpc-core";
import type { ClientConfig, RateLimitConfig, RelayConfig } from "../config/relay-config.js";
import { defaultDenyPatternOf } from "./default-deny.js";
import { PatternList, compilePattern } from "./pattern.js";
import type { NamePattern } from "./pattern.js";
import type { PolicyDenial } from "./policy-denial.js";

/** Per-client limits with the defaults applied. */
export interface ClientLimits {
  /** Requests awaiting their first upstream answer. Default 64. */
  readonly maxInFlight: number;
  /** Largest `params` JSON (bytes). Default 1 048 576. */
  readonly maxPayloadBytes: number;
  /** Whole-client rate limit, if any. */
  readonly rateLimit: RateLimitConfig | undefined;
  /** Per-method rate limits by method pattern. */
  readonly methodRateLimits: Readonly<Record<string, RateLimitConfig>>;
  /** Open connections of this client (all its credentials and upstreams); undefined = unlimited (the default). */
  readonly maxConnections: number | undefined;
}

/** Default of {@link ClientLimits.maxInFlight}. */
export const DEFAULT_MAX_IN_FLIGHT = 64;
/** Default of {@link ClientLimits.maxPayloadBytes} (bytes). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1_048_576;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * One client's compiled policy: which upstreams, methods, nodes, node commands and
 * events it may use, and its limits. Immutable; a reload builds new ones.
 *
 * Method decision, in order (first refusal wins):
 * 1. an explicit `deny` pattern matches → rule `deny`;
 * 2. no `allow` pattern matches → rule `methodNotAllowed`;
 * 3. the method is in a built-in default-deny family (`config.*`, `exec.approvals.*`,
 *    `wizard.*`, `update.*`, `device.*`, `node.pair.*`) and no `allow` entry names it
 *    exactly → rule `defaultDeny`.
 */
export class ClientPolicy {
  readonly id: string;
  readonly config: ClientConfig;
  /** Upstream ids in order; the first is the default route. */
  readonly upstreams: readonly string[];
  readonly limits: ClientLimits;
  readonly #allow: PatternList;
  readonly #deny: PatternList;
  readonly #events: PatternList | undefined;
  readonly #nodes: PatternList | undefined;
  readonly #commands: PatternList | undefined;
  readonly #methodRateLimits: readonly (readonly [NamePattern, RateLimitConfig])[];

  constructor(id: string, config: ClientConfig, defaults: RelayConfig["defaults"]) {
    this.id = id;
    this.config = config;
    this.upstreams = config.upstreams;
    this.#allow = new PatternList(config.allow);
    this.#deny = new PatternList(config.deny);
    this.#events = config.events === undefined ? undefined : new PatternList(config.events);
    this.#nodes = config.nodes === undefined ? undefined : new PatternList(config.nodes);
    this.#commands = config.commands === undefined ? undefined : new PatternList(config.commands);
    this.limits = {
      maxInFlight: config.maxInFlight ?? defaults.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
      maxPayloadBytes: config.maxPayloadBytes ?? defaults.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
      rateLimit: config.rateLimit ?? defaults.rateLimit,
      methodRateLimits: { ...defaults.methodRateLimits, ...config.methodRateLimits },
      maxConnections: config.maxConnections ?? defaults.maxConnections,
    };
    // Exact names before patterns, then in config order.
    this.#methodRateLimits = Object.entries(this.limits.methodRateLimits)
      .map(([key, limit]) => [compilePattern(key), limit] as const)
      .sort((a, b) => Number(b[0].exact) - Number(a[0].exact));
  }

  /** The upstream a socket reaches: `requested` from the URL path, else the default (first). */
  routeFor(requested: string | undefined): string | undefined {
    if (requested === undefined) return this.upstreams[0];
    return this.upstreams.includes(requested) ? requested : undefined;
  }

  /** The refusal of calling `method` at all, or undefined when allowed (see the class doc). */
  checkMethod(method: string): PolicyDenial | undefined {
    const denied = this.#deny.firstMatch(method);
    if (denied !== undefined) {
      return { rule: "deny", message: `relay policy: ${method} is denied for this client`, details: { method, pattern: denied.source } };
    }
    if (!this.#allow.matches(method)) {
      return { rule: "methodNotAllowed", message: `relay policy: ${method} is not in this client's allowlist`, details: { method } };
    }
    const family = defaultDenyPatternOf(method);
    if (family !== undefined && !this.#allow.namesExactly(method)) {
      return {
        rule: "defaultDeny",
        message: `relay policy: ${method} is denied by default (${family}); allow it by its exact name to opt in`,
        details: { method, pattern: family },
      };
    }
    return undefined;
  }

  /**
   * The refusal of these params, or undefined: a top-level `nodeId` must match `nodes`
   * (when set), and `node.invoke`'s `command` must match `commands` (which must be set:
   * running commands on machines is never allowed by omission).
   */
  checkParams(method: string, params: unknown): PolicyDenial | undefined {
    if (!isRecord(params)) return undefined;
    const nodeId = params["nodeId"];
    if (this.#nodes !== undefined && typeof nodeId === "string" && !this.#nodes.matches(nodeId)) {
      return { rule: "node", message: `relay policy: node ${nodeId} is not allowed for this client`, details: { method, nodeId } };
    }
    if (method === "node.invoke") {
      const command = typeof params["command"] === "string" ? params["command"] : "";
      if (this.#commands === undefined) {
        return {
          rule: "command",
          message: "relay policy: node.invoke commands are not enabled for this client (set commands)",
          details: { method, command },
        };
      }
      if (!this.#commands.matches(command)) {
        return {
          rule: "command",
          message: `relay policy: node command ${command} is not allowed for this client`,
          details: { method, command },
        };
      }
    }
    return undefined;
  }

  /** Whether an upstream event may be forwarded (patterns, and `nodes` for events about one node). */
  allowsEvent(event: string, payload: unknown): boolean {
    if (this.#events !== undefined && !this.#events.matches(event)) return false;
    if (this.#nodes !== undefined && isRecord(payload) && typeof payload["nodeId"] === "string") {
      return this.#nodes.matches(payload["nodeId"]);
    }
    return true;
  }

  /** Whether {@link filterResult} may change answers of `method` (else they can be forwarded unread). */
  filtersResult(method: string): boolean {
    return method === "node.list" && this.#nodes !== undefined;
  }

  /**
   * Narrows an answer to what the client may see: `node.list` lists only allowed nodes.
   * Throws for an unread ({@link RawJson}) answer of a method it filters: the caller asks
   * for raw answers only where {@link filtersResult} is false.
   */
  filterResult(method: string, payload: unknown): unknown {
    if (!this.filtersResult(method)) return payload;
    if (payload instanceof RawJson) throw new Error(`relay bug: a raw ${method} answer cannot be filtered`);
    const nodes = this.#nodes;
    if (nodes === undefined || !isRecord(payload) || !Array.isArray(payload["nodes"])) return payload;
    return {
      ...payload,
      nodes: payload["nodes"].filter((entry) => isRecord(entry) && typeof entry["nodeId"] === "string" && nodes.matches(entry["nodeId"])),
    };
  }

  /** The rate limit of `method` for this client: exact key first, then the first matching pattern. */
  methodRateLimit(method: string): { readonly key: string; readonly limit: RateLimitConfig } | undefined {
    const found = this.#methodRateLimits.find(([pattern]) => pattern.matches(method));
    return found === undefined ? undefined : { key: found[0].source, limit: found[1] };
  }
}

import { createHash, timingSafeEqual } from "node:crypto";
import type { RelayConfig } from "../config/relay-config.js";
import { ClientPolicy } from "./client-policy.js";
import { CATALOGUE_METHODS, minimalScopesFor } from "./policy-scopes.js";

/**
 * A client token as the relay hashes and compares it: without leading and trailing
 * whitespace (OpenClaw trims presented and configured tokens alike), inner whitespace kept.
 * `hash-token` and the client authenticator both use this, so a token always matches its hash.
 */
export function normalizeToken(token: string): string {
  return token.trim();
}

/** Lowercase hex SHA-256 of a token: what `tokenSha256` stores. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Every client policy of one config generation, with lookups by credential. Immutable:
 * a reload builds a new set and swaps the reference in one assignment, so a request
 * sees either the old or the new policy, never a mix.
 */
export class PolicySet {
  readonly clients: ReadonlyMap<string, ClientPolicy>;
  readonly #hashes: readonly { readonly digest: Buffer; readonly policy: ClientPolicy }[];
  readonly #devices: ReadonlyMap<string, ClientPolicy>;

  constructor(config: RelayConfig) {
    const clients = new Map<string, ClientPolicy>();
    const hashes: { digest: Buffer; policy: ClientPolicy }[] = [];
    const devices = new Map<string, ClientPolicy>();
    for (const [id, client] of Object.entries(config.clients)) {
      const policy = new ClientPolicy(id, client, config.defaults);
      clients.set(id, policy);
      if (client.tokenSha256 !== undefined) hashes.push({ digest: Buffer.from(client.tokenSha256, "hex"), policy });
      for (const device of client.devices ?? []) devices.set(device, policy);
    }
    this.clients = clients;
    this.#hashes = hashes;
    this.#devices = devices;
  }

  /**
   * The client whose token this is. The presented token is hashed and compared with
   * every stored hash in constant time, without stopping at a match, so neither the
   * token nor which client it belongs to leaks through timing.
   */
  findByToken(token: string): ClientPolicy | undefined {
    const digest = createHash("sha256").update(token, "utf8").digest();
    let found: ClientPolicy | undefined;
    for (const entry of this.#hashes) {
      if (timingSafeEqual(digest, entry.digest) && found === undefined) found = entry.policy;
    }
    return found;
  }

  /** The client a relay operator approved this device id for. */
  findByDevice(deviceId: string): ClientPolicy | undefined {
    return this.#devices.get(deviceId.toLowerCase());
  }

  /**
   * Least-privilege scopes the relay needs on `upstream` to serve every client routed
   * there: the union over those clients' allowed methods (of `methods`, default the
   * catalogue).
   */
  scopesNeededOn(upstream: string, methods: readonly string[] = CATALOGUE_METHODS): string[] {
    const allowed = new Set<string>();
    for (const policy of this.clients.values()) {
      if (!policy.upstreams.includes(upstream)) continue;
      for (const method of methods) if (policy.checkMethod(method) === undefined) allowed.add(method);
    }
    return minimalScopesFor(allowed);
  }
}

/** What must stay equal for an open connection to survive a reload: its credentials and route. */
export function credentialKey(policy: ClientPolicy): string {
  return JSON.stringify([policy.config.tokenSha256 ?? null, [...(policy.config.devices ?? [])].sort()]);
}

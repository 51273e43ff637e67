import type { Logger } from "pino";
import type { RelayConfig, UpstreamConfig } from "../config/relay-config.js";
import type { PolicySet } from "../policy/policy-set.js";
import { UpstreamLink } from "./upstream-link.js";
import type { UpstreamLinkOptions, UpstreamStatus } from "./upstream-link.js";

/** Options of {@link UpstreamPool}. */
export interface UpstreamPoolOptions {
  readonly config: RelayConfig;
  readonly policies: PolicySet;
  readonly baseDir: string;
  readonly stateDir: string;
  readonly log: Logger;
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Passed to every link (tests shorten these). */
  readonly linkOptions?: Pick<UpstreamLinkOptions, "pausedRetryMs" | "backoff"> | undefined;
}

/** `upstreams.<id>.scopes`, else the least privilege its clients' policies need (at least `operator.read`). */
function scopesToRequest(config: UpstreamConfig, policies: PolicySet, id: string): string[] {
  if (config.scopes !== undefined) return [...config.scopes];
  const needed = policies.scopesNeededOn(id);
  return needed.length > 0 ? needed : ["operator.read"];
}

/**
 * One {@link UpstreamLink} per configured upstream: the relay holds exactly one
 * connection to each gateway, whatever the number of clients. Upstreams are fixed at
 * start (a reload changes policies, not connections).
 */
export class UpstreamPool {
  readonly links: ReadonlyMap<string, UpstreamLink>;
  readonly #config: RelayConfig;

  constructor(options: UpstreamPoolOptions) {
    this.#config = options.config;
    const links = new Map<string, UpstreamLink>();
    for (const [id, config] of Object.entries(options.config.upstreams)) {
      const scopes = scopesToRequest(config, options.policies, id);
      links.set(
        id,
        new UpstreamLink({
          id,
          config,
          baseDir: options.baseDir,
          stateDir: options.stateDir,
          scopes,
          log: options.log,
          env: options.env,
          ...options.linkOptions,
        }),
      );
    }
    this.links = links;
  }

  /** The link of `id`. */
  get(id: string): UpstreamLink | undefined {
    return this.links.get(id);
  }

  /**
   * After a reload: for every upstream without explicit `scopes`, the scopes the new
   * policies need that its link did not request at start (the link keeps its connection
   * and its scopes). Upstreams with nothing missing are not listed.
   */
  scopesPendingRestart(policies: PolicySet): Map<string, readonly string[]> {
    const pending = new Map<string, readonly string[]>();
    for (const [id, link] of this.links) {
      const config = this.#config.upstreams[id];
      if (config === undefined || config.scopes !== undefined) continue;
      const missing = link.noteScopesNeeded(scopesToRequest(config, policies, id));
      if (missing.length > 0) pending.set(id, missing);
    }
    return pending;
  }

  /** Starts every link (connections come up in the background). */
  start(): void {
    for (const link of this.links.values()) link.start();
  }

  /** True when every upstream is connected and authorized. */
  get ready(): boolean {
    return [...this.links.values()].every((link) => link.ready);
  }

  /** Status of each upstream, by id. */
  status(): Record<string, UpstreamStatus> {
    return Object.fromEntries([...this.links].map(([id, link]) => [id, link.status()]));
  }

  /** Closes every link. */
  async close(): Promise<void> {
    await Promise.all([...this.links.values()].map((link) => link.close()));
  }
}

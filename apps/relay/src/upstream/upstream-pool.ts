import type { Logger } from "pino";
import type { RelayConfig } from "../config/relay-config.js";
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

/**
 * One {@link UpstreamLink} per configured upstream: the relay holds exactly one
 * connection to each gateway, whatever the number of clients. Upstreams are fixed at
 * start (a reload changes policies, not connections).
 */
export class UpstreamPool {
  readonly links: ReadonlyMap<string, UpstreamLink>;

  constructor(options: UpstreamPoolOptions) {
    const links = new Map<string, UpstreamLink>();
    for (const [id, config] of Object.entries(options.config.upstreams)) {
      // Without explicit scopes the relay asks for the least privilege its clients' policies need.
      const scopes = config.scopes ?? options.policies.scopesNeededOn(id);
      links.set(
        id,
        new UpstreamLink({
          id,
          config,
          baseDir: options.baseDir,
          stateDir: options.stateDir,
          scopes: scopes.length > 0 ? scopes : ["operator.read"],
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

import type { HelloOk } from "@clawbridge/protocol";
import { ADVERTISED_EVENTS, canReceiveEvent } from "@clawbridge/server";
import type { ClientPolicy } from "../policy/client-policy.js";
import { CATALOGUE_METHODS, capScopes, minimalScopesFor } from "../policy/policy-scopes.js";
import type { PolicySet } from "../policy/policy-set.js";
import type { UpstreamPool } from "../upstream/upstream-pool.js";

/** What one client sees of one upstream in its `hello-ok`. */
export interface ClientView {
  /** `features.methods`: the upstream's methods the policy allows. */
  readonly methods: readonly string[];
  /** `features.events`: events the client can receive. */
  readonly events: readonly string[];
  /** `auth.scopes`: least privilege of the allowed methods (catalogue and advertised), capped by what the upstream granted the relay. */
  readonly scopes: readonly string[];
  /** `features.capabilities`: the upstream's, minus those the relay cannot carry. */
  readonly capabilities: readonly string[] | undefined;
}

/**
 * Capabilities the relay cannot honour end to end: profile binding needs
 * `expectedProfileId` forwarded on each request, which the pooled upstream client
 * does not carry (see README, "Known gaps").
 */
const UNSUPPORTED_CAPABILITIES: ReadonlySet<string> = new Set(["profile-binding-v1"]);

/**
 * Computes (and caches per policy generation and upstream connection) what each
 * client is told in `hello-ok` and which scopes its events are guarded with.
 */
export class ClientViews {
  readonly #pool: UpstreamPool;
  readonly #cache = new WeakMap<PolicySet, Map<string, { hello: HelloOk | undefined; granted: readonly string[] | undefined; view: ClientView }>>();

  constructor(pool: UpstreamPool) {
    this.#pool = pool;
  }

  /** The view of `policy`'s client on `upstreamId` under the policy generation `policies`. */
  viewOf(policies: PolicySet, policy: ClientPolicy, upstreamId: string): ClientView {
    const link = this.#pool.get(upstreamId);
    const hello = link?.hello;
    const granted = link?.grantedScopes;
    let byClient = this.#cache.get(policies);
    if (byClient === undefined) {
      byClient = new Map();
      this.#cache.set(policies, byClient);
    }
    const key = `${policy.id}\u0000${upstreamId}`;
    const cached = byClient.get(key);
    if (cached !== undefined && cached.hello === hello && cached.granted === granted) return cached.view;
    const view = computeView(policy, hello, granted);
    byClient.set(key, { hello, granted, view });
    return view;
  }
}

function computeView(policy: ClientPolicy, hello: HelloOk | undefined, granted: readonly string[] | undefined): ClientView {
  const candidates = hello?.features.methods ?? CATALOGUE_METHODS;
  const allowed = (method: string): boolean => method !== "connect" && policy.checkMethod(method) === undefined;
  const methods = candidates.filter(allowed);
  // Scopes (which also guard events) come from every allowed method the protocol knows, not only
  // those this upstream advertises: an approvals client should see approval events on any gateway.
  const wanted = minimalScopesFor(new Set([...methods, ...CATALOGUE_METHODS.filter(allowed)]));
  const scopes = granted === undefined ? wanted : capScopes(wanted, granted);
  const events = (hello?.features.events ?? ADVERTISED_EVENTS).filter(
    (event) => canReceiveEvent("operator", scopes, event) && policy.allowsEvent(event, undefined),
  );
  const capabilities = hello?.features.capabilities?.filter((capability) => !UNSUPPORTED_CAPABILITIES.has(capability));
  return { methods, events, scopes, capabilities };
}

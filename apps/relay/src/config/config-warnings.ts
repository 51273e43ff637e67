import type { RelayConfig } from "./relay-config.js";
import { CATALOGUE_METHODS } from "../policy/policy-scopes.js";
import { PatternList } from "../policy/pattern.js";

const LOOPBACK = /^wss?:\/\/(localhost|127\.[0-9.]+|\[::1\])(:|\/|$)/i;

/** A `nodes` pattern that can match a node id (lowercase hex device id): hex digits and wildcards only. */
const NODE_ID_PATTERN = /^[0-9a-f*?]+$/;

function matchesKnownMethod(pattern: string): boolean {
  return new PatternList([pattern]).patterns.some((compiled) => CATALOGUE_METHODS.some((method) => compiled.matches(method)));
}

/**
 * Things a valid config may still get wrong, printed by `check` and at start-up:
 * a loopback upstream (the locality trap), an `allow` or `deny` pattern or a
 * `methodRateLimits` key (of a client or `defaults`) that matches no known method (a
 * typo, or a plugin method the catalogue does not list: a mistyped deny or limit
 * silently does nothing), a `nodes` pattern that cannot match a node id (a display name:
 * nodes are matched by their hex device id), `node.invoke` without a `commands` list (it
 * would refuse every command).
 */
export function configWarnings(config: RelayConfig): string[] {
  const warnings: string[] = [];
  for (const [id, upstream] of Object.entries(config.upstreams)) {
    if (LOOPBACK.test(upstream.url)) {
      warnings.push(
        `upstreams.${id}.url is on loopback: the gateway will treat the relay as a local process and may skip pairing it ` +
          "(OpenClaw 2026.9.6 does, even with gateway.nodes.pairing.autoApproveLocal: false); run the relay off the gateway host or " +
          "point this url at a non-loopback address of the gateway",
      );
    }
  }
  const deadPatterns = (where: string, patterns: Iterable<string>): void => {
    for (const pattern of patterns) {
      if (!matchesKnownMethod(pattern)) warnings.push(`${where}: "${pattern}" matches no method of the OpenClaw catalogue (typo, or a plugin method?)`);
    }
  };
  deadPatterns("defaults.methodRateLimits", Object.keys(config.defaults.methodRateLimits ?? {}));
  for (const [id, client] of Object.entries(config.clients)) {
    deadPatterns(`clients.${id}.allow`, client.allow);
    deadPatterns(`clients.${id}.deny`, client.deny);
    deadPatterns(`clients.${id}.methodRateLimits`, Object.keys(client.methodRateLimits ?? {}));
    for (const pattern of client.nodes ?? []) {
      if (!NODE_ID_PATTERN.test(pattern)) {
        warnings.push(
          `clients.${id}.nodes: "${pattern}" cannot match a node id: nodes are matched against nodeId, the node's device id ` +
            "(64 lowercase hex characters), not its display name; list them with: clawbridge gateway call node.list --json",
        );
      }
    }
    const allowsInvoke = new PatternList(client.allow).matches("node.invoke") && !new PatternList(client.deny).matches("node.invoke");
    if (allowsInvoke && client.commands === undefined) {
      warnings.push(`clients.${id} allows node.invoke but sets no commands: every node.invoke will be refused (rule command)`);
    }
  }
  return warnings;
}

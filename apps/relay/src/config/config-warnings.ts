import type { RelayConfig } from "./relay-config.js";
import { CATALOGUE_METHODS } from "../policy/policy-scopes.js";
import { PatternList } from "../policy/pattern.js";

const LOOPBACK = /^wss?:\/\/(localhost|127\.[0-9.]+|\[::1\])(:|\/|$)/i;

/**
 * Things a valid config may still get wrong, printed by `check` and at start-up:
 * a loopback upstream (the locality trap), an allow pattern that matches no known
 * method (a typo, or a plugin method the catalogue does not list), `node.invoke`
 * without a `commands` list (it would refuse every command).
 */
export function configWarnings(config: RelayConfig): string[] {
  const warnings: string[] = [];
  for (const [id, upstream] of Object.entries(config.upstreams)) {
    if (LOOPBACK.test(upstream.url)) {
      warnings.push(
        `upstreams.${id}.url is on loopback: the gateway will treat the relay as a local process and may pair it silently; ` +
          "run the relay off the gateway host or set gateway.nodes.pairing.autoApproveLocal: false there",
      );
    }
  }
  for (const [id, client] of Object.entries(config.clients)) {
    for (const pattern of client.allow) {
      if (!new PatternList([pattern]).patterns.some((compiled) => CATALOGUE_METHODS.some((method) => compiled.matches(method)))) {
        warnings.push(`clients.${id}.allow: "${pattern}" matches no method of the OpenClaw catalogue (typo, or a plugin method?)`);
      }
    }
    const allowsInvoke = new PatternList(client.allow).matches("node.invoke") && !new PatternList(client.deny).matches("node.invoke");
    if (allowsInvoke && client.commands === undefined) {
      warnings.push(`clients.${id} allows node.invoke but sets no commands: every node.invoke will be refused (rule command)`);
    }
  }
  return warnings;
}

/**
 * Method families a relay client never reaches through a wildcard: gateway
 * configuration, exec-approval policy, setup wizards, updates, device management and
 * node pairing. Any of them lets one tenant change what every other tenant of the
 * gateway may do, which is exactly what a relay exists to prevent.
 *
 * The rule: a method in these families is denied unless an `allow` entry names it
 * exactly (`config.get`, not `config.*` or `*`), and an explicit `deny` still wins.
 * So `allow: ["*"]` never grants them, and a method the gateway adds to one of these
 * families later stays denied until someone names it.
 *
 * The list and its matcher live in `@clawbridge/protocol` (`admin-methods.ts`), shared
 * with the `remote-gateway` skill, whose raw `call` refuses the same families.
 */
export { DEFAULT_DENY_PATTERNS, defaultDenyPatternOf } from "@clawbridge/protocol";

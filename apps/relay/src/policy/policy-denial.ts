import { ErrorCodes } from "@clawbridge/protocol";
import { gatewayError } from "@clawbridge/rpc-core";
import type { GatewayRequestError } from "@clawbridge/rpc-core";

/** `error.details.code` of every refusal made by the relay's policy (the CLI maps it to exit 6). */
export const RELAY_POLICY_DENIED = "RELAY_POLICY_DENIED";

/**
 * Which policy rule refused a request or a connection (`upstream`, `maxConnections` are
 * checked at `connect`); `details.rule` and the `rule` label of the denial metric.
 */
export type DenialRule =
  | "upstream"
  | "methodNotAllowed"
  | "defaultDeny"
  | "deny"
  | "node"
  | "command"
  | "maxPayload"
  | "rateLimit"
  | "maxInFlight"
  | "maxConnections";

/** The refusal of a request by {@link DenialRule} `rule`, without the wire error yet. */
export interface PolicyDenial {
  readonly rule: DenialRule;
  readonly message: string;
  /** Extra `details` fields (the matched pattern, the limit, …); never request params. */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
  /** Rate limits: when the client may try again (ms). */
  readonly retryAfterMs?: number | undefined;
}

/** Rules that describe a temporary condition (load), answered `UNAVAILABLE` + retryable. */
const TRANSIENT_RULES: ReadonlySet<DenialRule> = new Set(["rateLimit", "maxInFlight", "maxConnections"]);

/**
 * The OpenClaw-shaped error of a denial: `FORBIDDEN` for a standing refusal, or
 * `UNAVAILABLE` + `retryable:true` (+ `retryAfterMs`) for rate and in-flight limits,
 * always with `details: {code: "RELAY_POLICY_DENIED", rule, …}`.
 */
export function denialError(denial: PolicyDenial): GatewayRequestError {
  const transient = TRANSIENT_RULES.has(denial.rule);
  return gatewayError(
    transient ? ErrorCodes.UNAVAILABLE : ErrorCodes.FORBIDDEN,
    denial.message,
    { code: RELAY_POLICY_DENIED, rule: denial.rule, ...denial.details },
    transient ? { retryable: true, retryAfterMs: denial.retryAfterMs } : {},
  );
}

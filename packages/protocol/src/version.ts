/** The Gateway protocol version this toolkit speaks (OpenClaw 2026.9.x). */
export const PROTOCOL_VERSION = 4;
/** Lowest protocol an operator client may offer (`minProtocol`). */
export const MIN_CLIENT_PROTOCOL_VERSION = 4;
/** Lowest protocol a `role:"node"` + `mode:"node"` client may offer (legacy nodes). */
export const MIN_NODE_PROTOCOL_VERSION = 3;
/** Lowest protocol a `mode:"probe"` client may offer. */
export const MIN_PROBE_PROTOCOL_VERSION = 3;

/** The parts of `connect` params that decide protocol admission. */
export interface ProtocolOffer {
  minProtocol: number;
  maxProtocol: number;
  role?: string | undefined;
  mode?: string | undefined;
}

/**
 * The server's admission rule: accept when `minProtocol ≤ 4 ≤ maxProtocol`; a probe
 * client when `maxProtocol ≥ 3` and `minProtocol ≤ 4`; a node (`role` and `mode` both
 * `"node"`) when `minProtocol ≤ 3 ≤ maxProtocol`. Anything else is a protocol mismatch
 * (close 1002). `hello-ok.protocol` is always 4.
 */
export function isProtocolAccepted(offer: ProtocolOffer): boolean {
  const { minProtocol, maxProtocol } = offer;
  if (minProtocol <= PROTOCOL_VERSION && PROTOCOL_VERSION <= maxProtocol) return true;
  if (offer.mode === "probe" && maxProtocol >= MIN_PROBE_PROTOCOL_VERSION && minProtocol <= PROTOCOL_VERSION) {
    return true;
  }
  const legacyNode = offer.role === "node" && offer.mode === "node";
  return legacyNode && minProtocol <= MIN_NODE_PROTOCOL_VERSION && MIN_NODE_PROTOCOL_VERSION <= maxProtocol;
}

/** WebSocket close codes the gateway and its reference client use (gateway-protocol §3.4). */
export const CloseCodes = {
  /** Normal close; also the server's pre-auth handshake timeout (empty reason). */
  NORMAL: 1000,
  /** Server going away (used by proxies while draining). */
  GOING_AWAY: 1001,
  /** `protocol mismatch`. */
  PROTOCOL_ERROR: 1002,
  /** No close frame was received (socket dropped, missed pong). Never sent on the wire. */
  ABNORMAL: 1006,
  /** Any handshake rejection (message as reason), `slow consumer`, `repeated unauthorized calls`. */
  POLICY_VIOLATION: 1008,
  /** `preauth payload too large` and frames over `maxPayload`. */
  MESSAGE_TOO_BIG: 1009,
  /** `service restart`: gateway shutting down or restarting. */
  SERVICE_RESTART: 1012,
  /** `gateway starting` and drain/suspension refusals. */
  TRY_AGAIN_LATER: 1013,
  /** Client-side `tick timeout` / `connect timeout`. */
  TICK_TIMEOUT: 4000,
  /** `gateway auth changed` / `client invalidated: <reason>`. */
  AUTH_CHANGED: 4001,
} as const;

/** One of {@link CloseCodes}. */
export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes];

/** UTF-8 length of one code point (bytes). */
function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/**
 * Close reasons are limited to 123 bytes of UTF-8 by RFC 6455; the gateway truncates
 * longer messages. Cuts on a character boundary.
 */
export function truncateCloseReason(reason: string): string {
  let bytes = 0;
  let out = "";
  for (const char of reason) {
    bytes += utf8Length(char.codePointAt(0) ?? 0);
    if (bytes > 123) break;
    out += char;
  }
  return out;
}

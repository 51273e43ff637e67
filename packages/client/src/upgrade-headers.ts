/** Request headers the WebSocket handshake sets itself, or that would break the upgrade. */
const HANDSHAKE_HEADERS = new Set([
  "host",
  "connection",
  "upgrade",
  "content-length",
  "transfer-encoding",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
]);

/** An HTTP header name: an RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Why `name` cannot be an extra header on a gateway's upgrade request (`headers` of a
 * remote profile, `upstreams.<id>.headers` of the relay), or undefined when it can.
 */
export function upgradeHeaderNameProblem(name: string): string | undefined {
  if (!HEADER_NAME.test(name)) return "must be an HTTP header name";
  if (HANDSHAKE_HEADERS.has(name.toLowerCase())) return "is set by the WebSocket handshake itself";
  return undefined;
}

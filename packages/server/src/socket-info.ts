import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { isIP } from "node:net";

/**
 * What the server knows about a socket before `connect`: passed to the authenticator so
 * it can apply locality rules (silent local pairing, the missing-device-identity rule).
 */
export interface SocketInfo {
  /** Peer IP address as seen by the TCP socket (no proxy header is trusted). */
  readonly remoteAddress: string | undefined;
  /**
   * `true` for a *direct local* socket: loopback peer, no `Forwarded` / `X-Forwarded-*` /
   * `X-Real-IP` header, and a local `Host`. A proxy on the same host therefore never
   * makes a remote client look local.
   */
  readonly directLocal: boolean;
  /** Upgrade request headers (lower-case names, as Node gives them). */
  readonly headers: IncomingHttpHeaders;
  /** `Origin` header, when the client is a browser (or pretends to be). */
  readonly origin: string | undefined;
  /** URL path of the upgrade request, e.g. `/`. */
  readonly path: string;
  /** The `connect.challenge` nonce sent on this socket. */
  readonly nonce: string;
}

/** True for 127.0.0.0/8, `::1` and IPv4-mapped loopback (`::ffff:127.x.y.z`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const bare = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return bare === "::1" || bare === "0:0:0:0:0:0:0:1";
}

/** True when any header could carry a proxied client identity (`Forwarded`, `X-Forwarded-*`, `X-Real-IP`). */
export function hasProxyHeaders(headers: IncomingHttpHeaders): boolean {
  return Object.keys(headers).some((name) => {
    const lower = name.toLowerCase();
    return lower === "forwarded" || lower === "x-real-ip" || lower.startsWith("x-forwarded-");
  });
}

/** Host name of a `Host` header value (`[::1]:80` → `::1`, `localhost:8080` → `localhost`). */
function hostNameOf(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith("[")) {
    const end = trimmed.indexOf("]");
    return end === -1 ? trimmed : trimmed.slice(1, end);
  }
  const colon = trimmed.lastIndexOf(":");
  // A single colon separates a port; more than one means a bare IPv6 literal.
  return colon !== -1 && trimmed.indexOf(":") === colon ? trimmed.slice(0, colon) : trimmed;
}

/** True when a `Host` header names this machine: `localhost`, `*.localhost` or a loopback IP. */
export function isLocalHostHeader(host: string | undefined): boolean {
  if (host === undefined || host.trim() === "") return false;
  const name = hostNameOf(host);
  return name === "localhost" || name.endsWith(".localhost") || isLoopbackAddress(name);
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Builds the {@link SocketInfo} of an upgrade request.
 *
 * @param request - the HTTP upgrade request
 * @param nonce - the challenge nonce of this socket
 */
export function describeSocket(request: IncomingMessage, nonce: string): SocketInfo {
  const remoteAddress = request.socket.remoteAddress;
  const headers = request.headers;
  const origin = singleHeader(headers.origin);
  let path = "/";
  try {
    path = new URL(request.url ?? "/", "http://placeholder").pathname;
  } catch {
    // A malformed request target is not our concern here; keep the root path.
  }
  return {
    remoteAddress,
    directLocal: isLoopbackAddress(remoteAddress) && !hasProxyHeaders(headers) && isLocalHostHeader(headers.host),
    headers,
    origin: origin !== undefined && origin.trim() !== "" ? origin : undefined,
    path,
    nonce,
  };
}

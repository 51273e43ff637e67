import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { attributeIngress } from "./ingress-attribution.js";
import type { IngressAttribution } from "./ingress-attribution.js";

/**
 * What the server knows about a socket before `connect`: passed to the authenticator so
 * it can apply locality rules (silent local pairing, the missing-device-identity rule).
 */
export interface SocketInfo {
  /** Peer IP address as seen by the TCP socket (no proxy header is trusted). */
  readonly remoteAddress: string | undefined;
  /**
   * `true` for a *direct local* socket: loopback peer without `Forwarded` / `X-Forwarded-*` /
   * `X-Real-IP` or Tailscale identity headers (OpenClaw's `direct-local` ingress). A proxy on
   * the same host therefore never makes a remote client look local. The `Host` header plays
   * no part: a loopback socket with a foreign `Host` is still local (observed on 2026.9.6).
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
  /**
   * The client address after proxy attribution: the `X-Forwarded-For` client behind a
   * trusted proxy, else the TCP peer. Absent when the peer address is unknown.
   */
  readonly clientIp?: string | undefined;
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Builds the {@link SocketInfo} of an upgrade request.
 *
 * @param request - the HTTP upgrade request
 * @param nonce - the challenge nonce of this socket
 * @param attribution - who the peer is (see `attributeIngress`); default: computed with no trusted proxies
 */
export function describeSocket(request: IncomingMessage, nonce: string, attribution?: IngressAttribution): SocketInfo {
  const remoteAddress = request.socket.remoteAddress;
  const headers = request.headers;
  const ingress = attribution ?? attributeIngress(remoteAddress, headers, []);
  const origin = singleHeader(headers.origin);
  let path = "/";
  try {
    path = new URL(request.url ?? "/", "http://placeholder").pathname;
  } catch {
    // A malformed request target is not our concern here; keep the root path.
  }
  return {
    remoteAddress,
    directLocal: ingress.kind === "direct-local",
    headers,
    origin: origin !== undefined && origin.trim() !== "" ? origin : undefined,
    path,
    nonce,
    clientIp: ingress.kind === "unattributable-proxy" ? remoteAddress : ingress.clientIp,
  };
}

import type { IncomingHttpHeaders } from "node:http";
import { BlockList, isIP } from "node:net";
import { hasProxyHeaders, hasTailscaleHeaders, isLoopbackAddress } from "./request-locality.js";

/**
 * Who is really on the other end of an upgrade request, as OpenClaw 2026.9.6 decides it
 * (`resolveGatewayIngressAttribution`):
 *
 * - `direct-local`: loopback peer without forwarding or Tailscale headers;
 * - `trusted-proxy`: the peer is a configured trusted proxy; `clientIp` comes from `X-Forwarded-For`;
 * - `direct-remote`: any other peer without forwarding headers;
 * - `unattributable-proxy`: forwarding headers from an untrusted peer, or a trusted proxy that
 *   names no usable (non-loopback) client — OpenClaw refuses the upgrade with HTTP 403.
 */
export type IngressAttribution =
  | { readonly kind: "direct-local" | "direct-remote" | "trusted-proxy"; readonly clientIp: string }
  | { readonly kind: "unattributable-proxy"; readonly remoteAddress: string };

/** `::ffff:1.2.3.4` → `1.2.3.4`; trims; `undefined` for anything that is not an IP literal. */
function normalizeIp(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  if (trimmed === undefined || trimmed === "") return undefined;
  const bare = trimmed.toLowerCase().startsWith("::ffff:") && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
  return isIP(bare) === 0 ? undefined : bare;
}

/** An `X-Forwarded-For` hop without brackets or port (`[::1]:80` → `::1`, `1.2.3.4:5` → `1.2.3.4`). */
function parseHop(raw: string): string | undefined {
  let hop = raw.trim();
  if (hop.startsWith("[")) {
    const end = hop.indexOf("]");
    if (end !== -1) hop = hop.slice(1, end);
  } else if (isIP(hop) === 0) {
    const colon = hop.lastIndexOf(":");
    if (colon !== -1 && hop.indexOf(":") === colon && isIP(hop.slice(0, colon)) === 4) hop = hop.slice(0, colon);
  }
  return normalizeIp(hop);
}

/**
 * Whether `ip` is one of `trustedProxies` (IP literals or CIDR ranges such as `10.0.0.0/8`,
 * as in OpenClaw's `gateway.trustedProxies`).
 */
export function isTrustedProxy(ip: string | undefined, trustedProxies: readonly string[]): boolean {
  const address = normalizeIp(ip);
  if (address === undefined || trustedProxies.length === 0) return false;
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  const list = new BlockList();
  for (const entry of trustedProxies) {
    const [base, bits] = entry.trim().split("/");
    const network = normalizeIp(base);
    if (network === undefined) continue;
    const netFamily = isIP(network) === 6 ? "ipv6" : "ipv4";
    const prefix = bits === undefined ? undefined : Number.parseInt(bits, 10);
    if (prefix === undefined) list.addAddress(network, netFamily);
    else if (Number.isInteger(prefix)) list.addSubnet(network, prefix, netFamily);
  }
  return list.check(address, family);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The client behind a trusted proxy: the right-most `X-Forwarded-For` hop that is neither
 * loopback nor itself a trusted proxy (OpenClaw's `resolveForwardedClientIp`).
 */
function forwardedClientIp(headers: IncomingHttpHeaders, trustedProxies: readonly string[]): string | undefined {
  const chain = (header(headers, "x-forwarded-for") ?? "")
    .split(",")
    .map(parseHop)
    .filter((hop): hop is string => hop !== undefined);
  for (let index = chain.length - 1; index >= 0; index -= 1) {
    const hop = chain[index] as string;
    if (isLoopbackAddress(hop)) continue;
    if (!isTrustedProxy(hop, trustedProxies)) return hop;
  }
  return undefined;
}

/**
 * Attributes one upgrade request (see {@link IngressAttribution}).
 *
 * @param remoteAddress - the TCP peer address
 * @param headers - the upgrade request headers
 * @param trustedProxies - addresses/CIDRs of proxies whose `X-Forwarded-For` is believed
 */
export function attributeIngress(
  remoteAddress: string | undefined,
  headers: IncomingHttpHeaders,
  trustedProxies: readonly string[],
): IngressAttribution {
  const peer = normalizeIp(remoteAddress) ?? remoteAddress ?? "unknown";
  const proxied = hasProxyHeaders(headers);
  const tailscale = hasTailscaleHeaders(headers);
  if (isLoopbackAddress(peer) && !proxied && !tailscale) return { kind: "direct-local", clientIp: peer };
  if (isTrustedProxy(peer, trustedProxies)) {
    const clientIp = forwardedClientIp(headers, trustedProxies);
    if (clientIp === undefined || isLoopbackAddress(clientIp)) return { kind: "unattributable-proxy", remoteAddress: peer };
    return { kind: "trusted-proxy", clientIp };
  }
  if (proxied || tailscale) return { kind: "unattributable-proxy", remoteAddress: peer };
  return { kind: "direct-remote", clientIp: peer };
}

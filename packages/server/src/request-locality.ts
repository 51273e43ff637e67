import type { IncomingHttpHeaders } from "node:http";
import { isIP } from "node:net";

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

/** Headers only Tailscale Serve/Funnel sets; like forwarding headers, they make a loopback peer non-local. */
const TAILSCALE_OWNED_HEADERS = [
  "tailscale-funnel-request",
  "tailscale-headers-info",
  "tailscale-user-login",
  "tailscale-user-name",
  "tailscale-user-profile-pic",
] as const;

/** True when a Tailscale-owned identity header is present. */
export function hasTailscaleHeaders(headers: IncomingHttpHeaders): boolean {
  return TAILSCALE_OWNED_HEADERS.some((name) => headers[name] !== undefined);
}

/** Host name of a `Host` header value (`[::1]:80` → `::1`, `localhost:8080` → `localhost`). */
export function hostNameOf(host: string): string {
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

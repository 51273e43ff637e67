import { BlockList, isIP } from "node:net";
import { hostNameOf, isLoopbackAddress } from "./request-locality.js";

/** Outcome of {@link checkBrowserOrigin}; `reason` is what OpenClaw puts in `details.reason`. */
export type BrowserOriginCheck =
  | { readonly ok: true; readonly matchedBy: "allowlist" | "private-same-origin" | "local-loopback" }
  | { readonly ok: false; readonly reason: "origin missing or invalid" | "origin not allowed" };

/** Inputs of {@link checkBrowserOrigin}. */
export interface BrowserOriginInput {
  /** The `Origin` header value. */
  readonly origin: string;
  /** The `Host` header value of the upgrade request. */
  readonly requestHost: string | undefined;
  /** Direct-local socket (loopback peer, no forwarding headers). */
  readonly isLocalClient: boolean;
  /** `gateway.controlUi.allowedOrigins` (exact origins, or `*`). Default: none. */
  readonly allowedOrigins?: readonly string[] | undefined;
}

const PRIVATE_RANGES = new BlockList();
for (const [network, prefix] of [
  ["10.0.0.0", 8],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["169.254.0.0", 16],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
] as const) {
  PRIVATE_RANGES.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["fc00::", 7],
  ["fe80::", 10],
  ["::1", 128],
] as const) {
  PRIVATE_RANGES.addSubnet(network, prefix, "ipv6");
}

function isPrivateOrLoopbackIp(ip: string): boolean {
  const family = isIP(ip);
  return family !== 0 && PRIVATE_RANGES.check(ip, family === 6 ? "ipv6" : "ipv4");
}

/** `localhost` (trailing dots ignored) or a loopback IP literal (brackets ignored). */
function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower.replace(/\.+$/, "") === "localhost") return true;
  return isLoopbackAddress(lower.startsWith("[") && lower.endsWith("]") ? lower.slice(1, -1) : lower);
}

/** `scheme://host[:port][/]` only, as OpenClaw's `parseOrigin`; anything else (incl. `null`) is invalid. */
function parseOrigin(raw: string): { origin: string; host: string; hostname: string } | undefined {
  const trimmed = raw.trim();
  if (trimmed === "" || trimmed === "null" || !/^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]+\/?$/i.test(trimmed)) return undefined;
  try {
    const url = new URL(trimmed);
    if (url.username !== "" || url.password !== "" || url.host === "") return undefined;
    const origin = url.origin === "null" ? `${url.protocol}//${url.host}` : url.origin;
    return { origin: origin.toLowerCase(), host: url.host.toLowerCase(), hostname: url.hostname.toLowerCase() };
  } catch {
    return undefined;
  }
}

/** A page served by this gateway's own host: loopback only to local clients; private IPs; `.local`/`.ts.net`. */
function isTrustedSameOriginHost(hostHeader: string, isLocalClient: boolean): boolean {
  const name = hostNameOf(hostHeader);
  if (name === "") return false;
  if (isLoopbackHost(name)) return isLocalClient;
  if (isIP(name) !== 0) return isPrivateOrLoopbackIp(name);
  return name.endsWith(".local") || name.endsWith(".ts.net");
}

/**
 * OpenClaw's browser-origin policy for WebSocket connects (`checkBrowserOrigin`), applied to
 * every client that sends an `Origin` header: allowed when the origin is allowlisted, is the
 * gateway's own (trusted, same-host) origin, or is a loopback origin of a direct-local
 * client. Everything else — including the literal `null` — is refused with
 * `CONTROL_UI_ORIGIN_NOT_ALLOWED` (observed on 2026.9.6 for `https://evil.example` and `null`).
 */
export function checkBrowserOrigin(input: BrowserOriginInput): BrowserOriginCheck {
  const parsed = parseOrigin(input.origin);
  if (parsed === undefined) return { ok: false, reason: "origin missing or invalid" };
  const allowlist = new Set((input.allowedOrigins ?? []).map((value) => value.trim().toLowerCase()).filter((value) => value !== ""));
  if (allowlist.has("*") || allowlist.has(parsed.origin)) return { ok: true, matchedBy: "allowlist" };
  const requestHost = input.requestHost?.trim().toLowerCase() ?? "";
  if (requestHost !== "" && parsed.host === requestHost && isTrustedSameOriginHost(requestHost, input.isLocalClient)) {
    return { ok: true, matchedBy: "private-same-origin" };
  }
  if (input.isLocalClient && isLoopbackHost(parsed.hostname)) return { ok: true, matchedBy: "local-loopback" };
  return { ok: false, reason: "origin not allowed" };
}

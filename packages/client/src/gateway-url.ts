import { BlockList, isIP } from "node:net";
import { GatewayUrlError, InsecureTransportError } from "./errors.js";

/**
 * Networks where plaintext `ws://` is tolerated: loopback, RFC1918, link-local, CGNAT, ULA.
 * Built on first use: a `BlockList` loads two Node internals, and a call to a loopback
 * gateway (the common case in tests, demos and local use) never needs it.
 */
let privateNetworks: BlockList | undefined;
function privateNetworkList(): BlockList {
  if (privateNetworks === undefined) {
    privateNetworks = new BlockList();
    privateNetworks.addSubnet("127.0.0.0", 8, "ipv4");
    privateNetworks.addSubnet("10.0.0.0", 8, "ipv4");
    privateNetworks.addSubnet("172.16.0.0", 12, "ipv4");
    privateNetworks.addSubnet("192.168.0.0", 16, "ipv4");
    privateNetworks.addSubnet("169.254.0.0", 16, "ipv4");
    privateNetworks.addSubnet("100.64.0.0", 10, "ipv4");
    privateNetworks.addAddress("::1", "ipv6");
    privateNetworks.addSubnet("fc00::", 7, "ipv6");
    privateNetworks.addSubnet("fe80::", 10, "ipv6");
  }
  return privateNetworks;
}

let ipv6Loopback: BlockList | undefined;
function ipv6LoopbackList(): BlockList {
  if (ipv6Loopback === undefined) {
    ipv6Loopback = new BlockList();
    ipv6Loopback.addAddress("::1", "ipv6");
  }
  return ipv6Loopback;
}

/** Host suffixes treated as private names (mDNS, Tailscale MagicDNS, which is WireGuard-encrypted). */
const PRIVATE_NAME_SUFFIXES = [".local", ".ts.net"];

/** URL host without IPv6 brackets, lowercased, without a trailing dot. */
export function bareHost(url: URL): string {
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return host.toLowerCase().replace(/\.$/, "");
}

/** `::ffff:10.1.2.3` → `10.1.2.3`, so mapped addresses are judged as IPv4. */
function unmapIpv4(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match?.[1] ?? address;
}

function inList(list: BlockList, host: string): boolean {
  const address = unmapIpv4(host);
  const family = isIP(address);
  if (family === 0) return false;
  return list.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** True for `localhost`, 127.0.0.0/8 and `::1` (in any of its spellings). */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  const address = unmapIpv4(host);
  const family = isIP(address);
  // A valid dotted quad in 127.0.0.0/8 starts with "127.": no list needed.
  if (family === 4) return address.startsWith("127.");
  return family === 6 && ipv6LoopbackList().check(address, "ipv6");
}

/**
 * True where plaintext is tolerated: loopback, `localhost`, RFC1918, link-local
 * (169.254/16, fe80::/10), CGNAT 100.64/10, IPv6 ULA fc00::/7, `*.local`, `*.ts.net`.
 */
export function isPrivateHost(host: string): boolean {
  if (isLoopbackHost(host)) return true;
  if (inList(privateNetworkList(), host)) return true;
  return isIP(host) === 0 && PRIVATE_NAME_SUFFIXES.some((suffix) => host.endsWith(suffix));
}

/** The URL for messages: scheme, host, port and path only (never userinfo, query or fragment). */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

/**
 * Parses and checks a gateway URL: `ws:` or `wss:` only, no embedded credentials
 * (`ws://user:secret@host` would put a secret in every log line and error that shows
 * the URL), no fragment (WebSocket URLs cannot carry one).
 */
export function parseGatewayUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new GatewayUrlError("gateway url is not a valid URL (expected ws://host:port or wss://host)");
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new GatewayUrlError(`gateway url must use ws:// or wss://, got ${url.protocol}//`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new GatewayUrlError("gateway url must not embed credentials; pass a token or password source instead");
  }
  // `ws` refuses a fragment only when it connects, which would read as "not reachable".
  if (url.hash !== "") throw new GatewayUrlError("gateway url must not contain a #fragment");
  return url;
}

/**
 * Refuses plaintext `ws://` to a host that is not loopback or private (see
 * {@link isPrivateHost}) unless `allowInsecurePlaintext` — the text follows OpenClaw's
 * `SECURITY ERROR … plaintext ws://` error. `wss://` always passes.
 */
export function assertPlaintextAllowed(url: URL, allowInsecurePlaintext = false): void {
  if (url.protocol !== "ws:" || allowInsecurePlaintext) return;
  const host = bareHost(url);
  if (isPrivateHost(host)) return;
  throw new InsecureTransportError(
    [
      `SECURITY ERROR: Gateway URL "${displayUrl(url)}" uses plaintext ws:// to a non-loopback, non-private address.`,
      "Both credentials and chat data would be exposed to network interception.",
      "Fix: Use wss:// for remote gateway URLs (pin a self-signed certificate with tlsFingerprint).",
      "Safe remote access defaults:",
      "- keep gateway.bind=loopback and use an SSH tunnel (ssh -N -L 18789:127.0.0.1:18789 user@gateway-host)",
      "- or use Tailscale Serve/Funnel for HTTPS remote access",
      "Break-glass (trusted network only): allowInsecurePlaintext: true in the client options or remote profile.",
    ].join("\n"),
    host,
  );
}

/**
 * Why edge headers (secrets on the upgrade request for an edge in front of the gateway,
 * e.g. Cloudflare Access service tokens) must not be sent to `url`, or `undefined` when
 * they may. OpenClaw sends its edge auth only over `wss://`; plaintext `ws://` passes
 * only to a loopback host (an SSH tunnel, a local edge agent), where the header never
 * crosses a network in clear. `allowInsecurePlaintext` does not lift this.
 */
export function edgeHeadersTransportProblem(url: URL): string | undefined {
  if (url.protocol === "wss:" || isLoopbackHost(bareHost(url))) return undefined;
  return `edge headers are sent only over wss:// (or ws:// to loopback, e.g. an SSH tunnel); ${displayUrl(url)} would send them in clear`;
}

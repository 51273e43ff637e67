import type WebSocket from "ws";

/**
 * Sets the largest inbound frame (bytes) the `ws` receiver of `socket` accepts from now on.
 * OpenClaw 2026.9.6 does the same: its receiver starts at the 64 KiB pre-auth limit and is
 * raised to 25 MiB after `hello-ok`, so an oversize pre-auth frame is refused by `ws` from
 * its header (nothing is buffered) with close 1009 and an EMPTY reason (observed).
 *
 * Relies on the receiver's writable `_maxPayload` field (present in ws 8); returns `false`
 * when it is missing, and the caller must then enforce the limit itself.
 *
 * @param socket - a server-side `ws` socket
 * @param maxPayloadBytes - new limit in bytes
 */
export function setReceiverPayloadLimit(socket: WebSocket, maxPayloadBytes: number): boolean {
  const receiver = (socket as unknown as { _receiver?: unknown })._receiver;
  if (typeof receiver !== "object" || receiver === null) return false;
  const descriptor = Object.getOwnPropertyDescriptor(receiver, "_maxPayload");
  if (descriptor === undefined || descriptor.writable !== true || typeof descriptor.value !== "number") return false;
  (receiver as { _maxPayload: number })._maxPayload = maxPayloadBytes;
  return true;
}

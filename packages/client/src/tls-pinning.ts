import type { ClientRequest } from "node:http";
import type { TLSSocket } from "node:tls";
import { TlsFingerprintError } from "./errors.js";

/**
 * Normalises a SHA-256 certificate fingerprint: 64 hex digits or 32 colon-separated
 * pairs, optional `sha256:` prefix, any case → 64 lowercase hex digits. Throws
 * {@link TlsFingerprintError} `TLS_FINGERPRINT_INVALID` otherwise.
 */
export function normalizeTlsFingerprint(input: string): string {
  let value = input.trim();
  if (/^sha-?256:/i.test(value)) value = value.slice(value.indexOf(":") + 1).trim();
  const hex = /^[0-9a-f]{64}$/i.test(value)
    ? value
    : /^[0-9a-f]{2}(?::[0-9a-f]{2}){31}$/i.test(value)
      ? value.replace(/:/g, "")
      : undefined;
  if (hex === undefined) {
    throw new TlsFingerprintError(
      "TLS_FINGERPRINT_INVALID",
      "gateway tls fingerprint must be a SHA-256: 64 hex digits or 32 colon-separated hex pairs, optionally prefixed sha256:",
    );
  }
  return hex.toLowerCase();
}

/** The `ws` client options that pin the server certificate to `fingerprint`. */
export interface PinnedTlsOptions {
  /** CA validation is replaced by the pin (self-signed gateway certificates are the norm). */
  rejectUnauthorized: false;
  /** Holds the upgrade request until the pin has been checked on the TLS socket. */
  finishRequest: (request: ClientRequest) => void;
}

function looksLikeTlsSocket(socket: unknown): socket is TLSSocket {
  return typeof (socket as Partial<TLSSocket> | null)?.getPeerCertificate === "function";
}

/**
 * `ws` options that check the server leaf certificate's SHA-256 against `fingerprint`
 * (normalised) **before the HTTP upgrade request is written**: `ws` calls
 * `finishRequest` instead of `request.end()`, and we end the request only after
 * `secureConnect` shows the expected certificate. On a mismatch the request is
 * destroyed with `TlsFingerprintError` (`gateway tls fingerprint mismatch`), so not
 * even the upgrade headers reach an impostor. Works with an `agent` (proxy tunnel or
 * reused socket): a socket whose handshake already finished is checked at once.
 */
export function pinnedTlsOptions(fingerprint: string): PinnedTlsOptions {
  const expected = normalizeTlsFingerprint(fingerprint);
  return {
    rejectUnauthorized: false,
    finishRequest(request) {
      const verify = (socket: TLSSocket): void => {
        const cert = socket.getPeerCertificate();
        const raw = cert !== null && typeof cert === "object" ? cert.fingerprint256 : undefined;
        const actual = typeof raw === "string" && raw.length > 0 ? raw.replace(/:/g, "").toLowerCase() : undefined;
        if (actual !== expected) {
          const fingerprints = actual === undefined ? { expected } : { expected, actual };
          request.destroy(new TlsFingerprintError("TLS_FINGERPRINT_MISMATCH", "gateway tls fingerprint mismatch", fingerprints));
          return;
        }
        request.end();
      };
      request.once("socket", (socket) => {
        if (!looksLikeTlsSocket(socket)) {
          request.destroy(
            new TlsFingerprintError("TLS_FINGERPRINT_REQUIRES_WSS", "gateway tls fingerprint requires a TLS connection", {
              expected,
            }),
          );
          return;
        }
        const cert = socket.getPeerCertificate() as { fingerprint256?: string } | null;
        if (cert !== null && typeof cert.fingerprint256 === "string" && cert.fingerprint256.length > 0) verify(socket);
        else socket.once("secureConnect", () => verify(socket));
      });
    },
  };
}

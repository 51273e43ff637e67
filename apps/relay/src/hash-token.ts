import { hashToken, normalizeToken } from "./policy/policy-set.js";

/** Largest token accepted on stdin (bytes): tokens are short; anything longer is a mistake. */
const MAX_TOKEN_BYTES = 4_096;

/** Reads all of a stream as UTF-8, refusing more than `MAX_TOKEN_BYTES`. */
export async function readSecretInput(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_TOKEN_BYTES) throw new Error(`token on stdin is longer than ${MAX_TOKEN_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The config line for a client token: `tokenSha256: <hex>`. Leading and trailing
 * whitespace (the newline `echo` and editors add, stray spaces) is not part of the
 * token, as on OpenClaw, which trims both the presented and the configured token
 * before comparing; the relay trims the token a client presents the same way.
 * Whitespace inside the token is part of it. Throws on an empty token.
 */
export function tokenConfigLine(input: string): string {
  const token = normalizeToken(input);
  if (token.length === 0) throw new Error("no token on stdin");
  return `tokenSha256: ${hashToken(token)}`;
}

import { hashToken } from "./policy/policy-set.js";

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
 * The config line for a client token: `tokenSha256: <hex>`. Trailing newlines are
 * removed (what `echo` and editors add); other whitespace is part of the token.
 * Throws on an empty token.
 */
export function tokenConfigLine(input: string): string {
  const token = input.replace(/[\r\n]+$/, "");
  if (token.length === 0) throw new Error("no token on stdin");
  return `tokenSha256: ${hashToken(token)}`;
}

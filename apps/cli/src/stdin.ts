import { usageError } from "@clawbridge/cli-contract";

/** Largest stdin we accept (bytes): a secret or a params document, not a data stream. */
const MAX_STDIN_BYTES = 32 * 1024 * 1024;

/** Reads all of standard input as UTF-8 (until EOF). */
export async function readStdinText(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw usageError("STDIN_TOO_LARGE", `standard input is larger than ${MAX_STDIN_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Standard input can be consumed once. Options that read it (`--token -`,
 * `--password -`, `--params -`) claim it here; a second claim is a usage error
 * naming both, before anything is read.
 */
export function assertSingleStdinConsumer(claims: readonly string[]): void {
  if (claims.length <= 1) return;
  throw usageError(
    "STDIN_CONFLICT",
    `only one option can read standard input, but ${claims.join(" and ")} both ask for it`,
    { hint: "pass the other value through a file or an environment variable (--token-file, --token-env, --params @file)" },
  );
}

import { randomUUID } from "node:crypto";

/** Produces request ids; must never repeat an id that is still pending on the same peer. */
export type RequestIdGenerator = () => string;

/**
 * OpenClaw's reference-client id scheme: `"<n>:<uuid v4>"` with `n` counting from 1 per
 * connection (the `connect` request is `1:…`). Create one generator per connection.
 *
 * @param uuid - UUID source (injectable for deterministic tests); default `crypto.randomUUID`
 */
export function createRequestIdGenerator(uuid: () => string = randomUUID): RequestIdGenerator {
  let counter = 0;
  return () => {
    counter += 1;
    return `${counter}:${uuid()}`;
  };
}

import * as z from "zod";

/**
 * A schema that builds itself on first use (`z.lazy` with the built schema kept).
 *
 * Why: constructing a zod schema costs ~10-20 µs per node, and a module's schemas are
 * built when the module loads. The CLI on WN1 loads the whole client for every
 * `system.run` but parses only frames, `hello-ok` and the connect params; schemas of the
 * other messages (profiles, stored credentials, events, method results) are therefore
 * declared with this, so a run constructs only those it reads. It parses, infers and
 * converts to JSON Schema like the schema it wraps; `.unwrap()` returns that schema
 * (for `.extend()`, `.shape` and the like).
 */
export function lazySchema<T extends z.ZodType>(build: () => T): z.ZodLazy<T> {
  return z.lazy(once(build));
}

/** `build`, run on the first call only; later calls return what it built. */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

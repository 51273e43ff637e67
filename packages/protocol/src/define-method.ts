import type { z } from "zod";
import { once } from "./lazy-schema.js";

/**
 * One typed method constant (vscode-jsonrpc style): the wire name plus zod schemas
 * for params and result, so `call(Methods.NodeList)` type-checks end to end and a
 * server can validate params with the same object.
 */
export interface MethodDefinition<
  Name extends string = string,
  Params extends z.ZodType = z.ZodType,
  Result extends z.ZodType = z.ZodType,
> {
  readonly method: Name;
  readonly params: Params;
  readonly result: Result;
}

/** A schema, or a function that builds it on first use. */
export type SchemaOrFactory<T extends z.ZodType> = T | (() => T);

/**
 * Declares a {@link MethodDefinition}. `params` and `result` may be factories: the
 * catalogue then builds a method's schemas when something first reads them, so a process
 * that calls one method (the CLI on WN1, once per `system.run`) never constructs the
 * others' (zod schema construction is most of a short run's start-up).
 */
export function defineMethod<Name extends string, Params extends z.ZodType, Result extends z.ZodType>(
  method: Name,
  params: SchemaOrFactory<Params>,
  result: SchemaOrFactory<Result>,
): MethodDefinition<Name, Params, Result> {
  const paramsOf = memoized(params);
  const resultOf = memoized(result);
  return {
    method,
    get params() {
      return paramsOf();
    },
    get result() {
      return resultOf();
    },
  };
}

function memoized<T extends z.ZodType>(value: SchemaOrFactory<T>): () => T {
  return typeof value === "function" ? once(value) : () => value;
}

/** Input type of a method's params (what a caller passes). */
export type MethodParams<M extends MethodDefinition> = z.input<M["params"]>;
/** Output type of a method's result (what a caller receives). */
export type MethodResult<M extends MethodDefinition> = z.output<M["result"]>;

import type { z } from "zod";

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

/** Declares a {@link MethodDefinition}. */
export function defineMethod<Name extends string, Params extends z.ZodType, Result extends z.ZodType>(
  method: Name,
  params: Params,
  result: Result,
): MethodDefinition<Name, Params, Result> {
  return { method, params, result };
}

/** Input type of a method's params (what a caller passes). */
export type MethodParams<M extends MethodDefinition> = z.input<M["params"]>;
/** Output type of a method's result (what a caller receives). */
export type MethodResult<M extends MethodDefinition> = z.output<M["result"]>;

import { ErrorCodes } from "@clawbridge/protocol";
import type { ErrorShape, MethodDefinition, RequestFrame } from "@clawbridge/protocol";
import type { z } from "zod";
import { isGatewayRequestError } from "./errors.js";
import { formatValidationIssues } from "./validation-message.js";

/** Longest method name echoed in an error message (characters); a method name is client input. */
const MAX_ECHOED_METHOD = 256;

function echoMethod(method: string): string {
  return method.length <= MAX_ECHOED_METHOD ? method : `${method.slice(0, MAX_ECHOED_METHOD - 1)}…`;
}

/** What a handler receives for one inbound request. */
export interface RequestContext<Ctx, P = unknown> {
  /** The method name. */
  readonly method: string;
  /** `params` after validation by the method's schema (or `frame.params ?? {}` without one, as OpenClaw). */
  readonly params: P;
  /** The per-connection context the peer was given (principal, connection id, …). */
  readonly ctx: Ctx;
  /** The request id (echoed in the response). */
  readonly id: string;
  /** The whole request frame (`traceparent`, `expectedProfileId`, raw params). */
  readonly frame: RequestFrame;
  /** Aborted when the connection closes: no response can be written any more. */
  readonly signal: AbortSignal;
  /**
   * Sends the intermediate response of a two-phase method now:
   * `{ok:true, payload:{...payload, status:"accepted"}}`. The handler's return value is
   * then the final payload. Calls after the first, or after the handler settled, are ignored.
   */
  accept(payload?: Record<string, unknown>): void;
}

/** Serves one method: returns (or resolves to) the response payload; throw {@link gatewayError} to answer an error. */
export type RequestHandler<Ctx, P = unknown, R = unknown> = (request: RequestContext<Ctx, P>) => R | Promise<R>;

/**
 * Authorization hook, called for every request before the method lookup (so a server
 * can make unknown methods need admin, as OpenClaw does). Return an {@link ErrorShape}
 * to deny (e.g. protocol's `missingScopeError`), `undefined` to allow.
 * `params` is `frame.params ?? {}`.
 */
export type AuthorizeHook<Ctx> = (
  method: string,
  params: unknown,
  ctx: Ctx,
) => ErrorShape | undefined | Promise<ErrorShape | undefined>;

/** Options of {@link Router}. */
export interface RouterOptions<Ctx> {
  /** See {@link AuthorizeHook}. Default: allow everything. */
  authorize?: AuthorizeHook<Ctx> | undefined;
  /**
   * Maps an exception that is not a {@link GatewayRequestError} to the answer.
   * Default: OpenClaw's behaviour, `UNAVAILABLE` with the error's message.
   */
  errorToShape?: ((error: unknown, method: string) => ErrorShape) | undefined;
}

/** Options of {@link Router.register} with a method name. */
export interface RegisterOptions<S extends z.ZodType = z.ZodType> {
  /** Params schema; a failure answers `INVALID_REQUEST "invalid <method> params: <text>"`. */
  paramsSchema?: S | undefined;
}

/** Outcome of {@link Router.dispatch}: the final response's body. */
export type DispatchResult = { ok: true; payload: unknown } | { ok: false; error: ErrorShape };

/** Transport-side hooks of {@link Router.dispatch}. */
export interface DispatchHooks {
  /** Writes the intermediate `accepted` response. Default: dropped. */
  accept?: ((payload: Record<string, unknown>) => void) | undefined;
  /** Connection-lifetime signal passed to handlers. Default: never aborted. */
  signal?: AbortSignal | undefined;
}

interface Route<Ctx> {
  handler: RequestHandler<Ctx, unknown, unknown>;
  paramsSchema: z.ZodType | undefined;
}

const NEVER_ABORTED = new AbortController().signal;

function defaultErrorToShape(error: unknown): ErrorShape {
  const text = error instanceof Error ? error.message : String(error);
  return { code: ErrorCodes.UNAVAILABLE, message: text.length > 0 ? text : "request handler failed" };
}

/**
 * Method table of one server role: `method → authorize → params schema → handler`.
 * Transport-agnostic: {@link Peer} feeds it inbound requests and writes the answers;
 * anything else (a relay, a test) can call {@link dispatch} directly.
 *
 * Answers, in order: the `authorize` hook's denial; `INVALID_REQUEST "unknown method:
 * X"`; `INVALID_REQUEST "invalid X params: …"`; the handler's payload; a thrown
 * {@link GatewayRequestError}'s shape; any other exception → `UNAVAILABLE` with its text.
 *
 * @typeParam Ctx - per-connection context handed to `authorize` and handlers
 */
export class Router<Ctx = undefined> {
  readonly #routes = new Map<string, Route<Ctx>>();
  readonly #authorize: AuthorizeHook<Ctx> | undefined;
  readonly #errorToShape: (error: unknown, method: string) => ErrorShape;

  constructor(options: RouterOptions<Ctx> = {}) {
    this.#authorize = options.authorize;
    this.#errorToShape = options.errorToShape ?? defaultErrorToShape;
  }

  /** Registers a typed method: params are validated with `definition.params`. Throws if already registered. */
  register<M extends MethodDefinition>(
    definition: M,
    handler: RequestHandler<Ctx, z.output<M["params"]>, z.input<M["result"]>>,
  ): this;
  /** Registers a method with a params schema. Throws if already registered. */
  register<S extends z.ZodType>(method: string, handler: RequestHandler<Ctx, z.output<S>>, options: RegisterOptions<S>): this;
  /** Registers a method whose handler gets `params ?? {}` unvalidated. Throws if already registered. */
  register(method: string, handler: RequestHandler<Ctx>, options?: RegisterOptions): this;
  register(
    target: string | MethodDefinition,
    handler: RequestHandler<Ctx, never, unknown>,
    options: RegisterOptions = {},
  ): this {
    const method = typeof target === "string" ? target : target.method;
    const paramsSchema = typeof target === "string" ? options.paramsSchema : target.params;
    if (this.#routes.has(method)) throw new Error(`method already registered: ${method}`);
    this.#routes.set(method, { handler: handler as RequestHandler<Ctx, unknown, unknown>, paramsSchema });
    return this;
  }

  /** Removes a method; returns whether it was registered. */
  unregister(method: string): boolean {
    return this.#routes.delete(method);
  }

  /** Whether `method` has a handler. */
  has(method: string): boolean {
    return this.#routes.has(method);
  }

  /** Registered method names, in registration order (e.g. for `hello-ok.features.methods`). */
  get methods(): string[] {
    return [...this.#routes.keys()];
  }

  /**
   * Runs one request through authorize → lookup → params → handler. Never rejects.
   *
   * @param frame - the validated request frame
   * @param ctx - the connection's context
   * @param hooks - how to send the intermediate `accepted` response, and the connection signal
   */
  async dispatch(frame: RequestFrame, ctx: Ctx, hooks: DispatchHooks = {}): Promise<DispatchResult> {
    const { method } = frame;
    const params: unknown = frame.params ?? {};
    let settled = false;
    let accepted = false;
    try {
      const denial = await this.#authorize?.(method, params, ctx);
      if (denial !== undefined && denial !== null) return { ok: false, error: denial };
      const route = this.#routes.get(method);
      if (route === undefined) {
        return { ok: false, error: { code: ErrorCodes.INVALID_REQUEST, message: `unknown method: ${echoMethod(method)}` } };
      }
      let value = params;
      if (route.paramsSchema !== undefined) {
        const parsed = route.paramsSchema.safeParse(params);
        if (!parsed.success) {
          return {
            ok: false,
            error: {
              code: ErrorCodes.INVALID_REQUEST,
              message: `invalid ${echoMethod(method)} params: ${formatValidationIssues(parsed.error.issues, params)}`,
            },
          };
        }
        value = parsed.data;
      }
      const payload = await route.handler({
        method,
        params: value,
        ctx,
        id: frame.id,
        frame,
        signal: hooks.signal ?? NEVER_ABORTED,
        accept: (extra = {}) => {
          if (settled || accepted) return;
          accepted = true;
          hooks.accept?.({ ...extra, status: "accepted" });
        },
      });
      return { ok: true, payload };
    } catch (error) {
      if (isGatewayRequestError(error)) return { ok: false, error: error.toErrorShape() };
      try {
        return { ok: false, error: this.#errorToShape(error, method) };
      } catch {
        return { ok: false, error: defaultErrorToShape(error) };
      }
    } finally {
      settled = true;
    }
  }
}

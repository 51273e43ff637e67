import { TYPED_METHODS, leastPrivilegeScopes } from "@clawbridge/protocol";
import { toJSONSchema } from "zod";
import type { ZodType } from "zod";
import type { ExitCode } from "@clawbridge/cli-contract";
import { methodScopeInfo } from "../method-scope.js";
import { paramsSpecOf, readParams } from "../params-input.js";
import { runCommand } from "../run-command.js";

/** Flags of `clawbridge gateway describe`. */
export interface GatewayDescribeFlags {
  params?: string | undefined;
  json?: boolean | undefined;
}

/** JSON Schema of a zod schema; parts JSON Schema cannot express (none today) become `{}` rather than failing. */
function jsonSchemaOf(schema: ZodType, io: "input" | "output"): unknown {
  return toJSONSchema(schema, { io, unrepresentable: "any" });
}

/**
 * `clawbridge gateway describe <method>`: what calling `method` needs — role, scope
 * class and the scopes `gateway call` would request — and, for methods with a typed
 * schema, the params and result JSON Schemas (`z.toJSONSchema`). Offline: nothing is
 * connected. `--params` evaluates the scope of params-dependent methods.
 */
export function gatewayDescribe(method: string, flags: GatewayDescribeFlags): Promise<ExitCode> {
  return runCommand("Gateway describe failed", flags.json === true, async ({ output }) => {
    const params = flags.params === undefined ? undefined : await readParams(paramsSpecOf(flags.params), undefined);
    const info = methodScopeInfo(method, params);
    const definition = TYPED_METHODS.get(method);
    const description = {
      ...info,
      since: info.since ?? null,
      requestedScopes: leastPrivilegeScopes(method, params),
      typed: definition !== undefined,
      params: definition === undefined ? null : jsonSchemaOf(definition.params, "input"),
      result: definition === undefined ? null : jsonSchemaOf(definition.result, "output"),
    };
    if (output.json) {
      output.document(description);
      return;
    }
    const { out } = output;
    output.line(`${out.heading("Method")}: ${method}`);
    if (!info.known) {
      output.line(out.muted("not in the OpenClaw method catalogue (plugin or unknown method): the gateway requires operator.admin"));
    }
    output.line(`Role: ${info.role}`);
    output.line(`Scope: ${info.scope}${info.scope === "dynamic" ? ` (for these params: ${info.requiredScopes.join(", ")})` : ""}`);
    output.line(`Requested by gateway call: ${description.requestedScopes.join(", ")}`);
    if (info.since !== undefined) output.line(`Since: ${info.since}`);
    if (description.params === null) {
      output.line(out.muted("No typed params schema: params are passed to the gateway unchecked."));
      return;
    }
    output.line(out.heading("Params (JSON Schema):"));
    output.document(description.params);
    output.line(out.heading("Result (JSON Schema):"));
    output.document(description.result);
  });
}

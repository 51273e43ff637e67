import { ErrorCodes, Methods, authorizeMethod } from "@clawbridge/protocol";
import type { Principal, RequestFrame } from "@clawbridge/protocol";
import { describe, expect, it, vi } from "vitest";
import * as z from "zod";
import { Router, gatewayError } from "../src/index.js";

const req = (method: string, params?: unknown, id = "r1"): RequestFrame =>
  params === undefined ? { type: "req", id, method } : { type: "req", id, method, params };

describe("Router", () => {
  it("calls authorize before the method lookup, so unknown methods can need admin", async () => {
    const router = new Router<Principal>({ authorize: (method, params, ctx) => authorizeMethod(ctx, method, params) });
    router.register("node.list", () => ({ ts: 1, nodes: [] }));
    const reader: Principal = { role: "operator", scopes: ["operator.read"] };
    const admin: Principal = { role: "operator", scopes: ["operator.admin"] };

    await expect(router.dispatch(req("made.up"), reader)).resolves.toEqual({
      ok: false,
      error: {
        code: "FORBIDDEN",
        message: "missing scope: operator.admin",
        details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] },
      },
    });
    await expect(router.dispatch(req("made.up"), admin)).resolves.toEqual({
      ok: false,
      error: { code: "INVALID_REQUEST", message: "unknown method: made.up" },
    });
    await expect(router.dispatch(req("node.list"), reader)).resolves.toEqual({ ok: true, payload: { ts: 1, nodes: [] } });
    await expect(router.dispatch(req("node.list"), { role: "node", scopes: [] })).resolves.toEqual({
      ok: false,
      error: { code: "INVALID_REQUEST", message: "unauthorized role: node" },
    });
  });

  it("validates params with a method definition and hands the handler parsed params (default {})", async () => {
    const router = new Router();
    const seen = vi.fn();
    router.register(Methods.NodeList, ({ params }) => {
      seen(params);
      return { ts: 1, nodes: [] };
    });
    await expect(router.dispatch(req("node.list"), undefined)).resolves.toMatchObject({ ok: true });
    expect(seen).toHaveBeenCalledWith({});
    await expect(router.dispatch(req("node.list", { bogus: 1 }), undefined)).resolves.toEqual({
      ok: false,
      error: { code: "INVALID_REQUEST", message: "invalid node.list params: at root: unexpected property 'bogus'" },
    });
    await expect(router.dispatch(req("node.list", [1]), undefined)).resolves.toMatchObject({
      error: { message: "invalid node.list params: must be object" },
    });
  });

  it("applies schema transforms and defaults before the handler runs", async () => {
    const router = new Router();
    router.register("limit", ({ params }) => params.limit * 2, {
      paramsSchema: z.object({ limit: z.int().default(10) }),
    });
    await expect(router.dispatch(req("limit"), undefined)).resolves.toEqual({ ok: true, payload: 20 });
  });

  it("turns exceptions into answers: GatewayRequestError verbatim, anything else UNAVAILABLE", async () => {
    const router = new Router();
    router.register("denied", () => {
      throw gatewayError(ErrorCodes.NOT_PAIRED, "device identity required", { code: "DEVICE_IDENTITY_REQUIRED" });
    });
    router.register("crash", async () => {
      await Promise.resolve();
      throw new TypeError("cannot read properties of undefined");
    });
    router.register("throws-string", () => {
      throw "plain string";
    });
    router.register("throws-empty", () => {
      throw new Error("");
    });
    await expect(router.dispatch(req("denied"), undefined)).resolves.toEqual({
      ok: false,
      error: { code: "NOT_PAIRED", message: "device identity required", details: { code: "DEVICE_IDENTITY_REQUIRED" } },
    });
    await expect(router.dispatch(req("crash"), undefined)).resolves.toEqual({
      ok: false,
      error: { code: "UNAVAILABLE", message: "cannot read properties of undefined" },
    });
    await expect(router.dispatch(req("throws-string"), undefined)).resolves.toMatchObject({
      error: { code: "UNAVAILABLE", message: "plain string" },
    });
    await expect(router.dispatch(req("throws-empty"), undefined)).resolves.toMatchObject({
      error: { code: "UNAVAILABLE", message: "request handler failed" },
    });
  });

  it("lets the server replace the handler-error mapping, and survives a throwing authorize hook", async () => {
    const router = new Router({
      authorize: (method) => {
        if (method === "explode") throw new Error("authz backend down");
        return undefined;
      },
      errorToShape: () => ({ code: "UNAVAILABLE", message: "internal error" }),
    });
    router.register("crash", () => {
      throw new Error("secret stack detail");
    });
    await expect(router.dispatch(req("crash"), undefined)).resolves.toEqual({
      ok: false,
      error: { code: "UNAVAILABLE", message: "internal error" },
    });
    await expect(router.dispatch(req("explode"), undefined)).resolves.toMatchObject({ ok: false });
  });

  it("accept() sends one accepted frame, only while the handler runs", async () => {
    const router = new Router();
    let late: (() => void) | undefined;
    router.register("agent", ({ accept }) => {
      accept({ runId: "r" });
      accept({ runId: "again" });
      late = () => accept({ runId: "late" });
      return { runId: "r", status: "ok" };
    });
    const accepted = vi.fn();
    await expect(router.dispatch(req("agent"), undefined, { accept: accepted })).resolves.toEqual({
      ok: true,
      payload: { runId: "r", status: "ok" },
    });
    late?.();
    expect(accepted).toHaveBeenCalledTimes(1);
    expect(accepted).toHaveBeenCalledWith({ runId: "r", status: "accepted" });
  });

  it("refuses duplicate registrations and lists its methods", () => {
    const router = new Router();
    router.register("a", () => 1).register("b", () => 2);
    expect(() => router.register("a", () => 3)).toThrow("method already registered: a");
    expect(router.methods).toEqual(["a", "b"]);
    expect(router.unregister("a")).toBe(true);
    expect(router.has("a")).toBe(false);
  });

  it("clips absurdly long method names in its answers", async () => {
    const result = await new Router().dispatch(req("m".repeat(100_000)), undefined);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message.length).toBeLessThan(300);
  });
});

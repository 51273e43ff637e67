import { describe, expect, it } from "vitest";
import {
  ConnectError,
  ConnectionClosedError,
  GatewayRequestError,
  LocalRpcError,
  ProtocolViolationError,
  RequestAbortedError,
  RequestTimeoutError,
  gatewayError,
  isGatewayRequestError,
} from "../src/index.js";

describe("error classes", () => {
  const locals = [
    [new RequestTimeoutError("node.invoke", 30_000, true), "RequestTimeoutError", "timeout"],
    [new ConnectionClosedError(1006, ""), "ConnectionClosedError", "connection-closed"],
    [new RequestAbortedError("health", false), "RequestAbortedError", "aborted"],
    [new ProtocolViolationError("oversize", "frame exceeds 10 bytes"), "ProtocolViolationError", "protocol-violation"],
    [new ConnectError("ECONNREFUSED"), "ConnectError", "connect"],
  ] as const;

  it.each(locals)("%s has a stable name and kind, and is a LocalRpcError", (error, name, kind) => {
    expect(error).toBeInstanceOf(LocalRpcError);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(GatewayRequestError);
    expect(error.name).toBe(name);
    expect(error.kind).toBe(kind);
    const json = error.toJSON();
    expect(json).toMatchObject({ name, kind, message: error.message });
    expect(json).not.toHaveProperty("stack");
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name, kind });
  });

  it("says whether a timed-out or aborted request was already sent", () => {
    expect(new RequestTimeoutError("agent", 5_000, true).message).toBe(
      "request agent timed out after 5000 ms (request was sent; the gateway may still act on it)",
    );
    expect(new RequestTimeoutError("agent", 5_000, false).message).toBe(
      "request agent timed out after 5000 ms (request was not sent)",
    );
    expect(new RequestAbortedError("agent", true).message).toContain("request was sent");
    expect(new RequestAbortedError("agent", false).message).toContain("request was not sent");
  });

  it("formats closes with code and reason", () => {
    expect(new ConnectionClosedError(1012, "service restart").message).toBe("connection closed (1012): service restart");
    expect(new ConnectionClosedError(1006, "", { method: "status", requestSent: true }).message).toBe(
      "request status failed: connection closed (1006)",
    );
  });

  it("keeps the cause out of toJSON", () => {
    const cause = new Error("token=supersecret");
    const error = new ConnectError("ECONNRESET", { cause });
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error)).not.toContain("supersecret");
  });

  it("GatewayRequestError mirrors the wire ErrorShape", () => {
    const error = new GatewayRequestError(
      {
        code: "FORBIDDEN",
        message: "missing scope: operator.write",
        details: { code: "MISSING_SCOPE", missingScope: "operator.write", requiredScopes: ["operator.write"] },
      },
      { method: "node.invoke" },
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(LocalRpcError);
    expect(error.name).toBe("GatewayRequestError");
    expect(error.message).toBe("missing scope: operator.write");
    expect(error.method).toBe("node.invoke");
    expect(error.retryable).toBeUndefined();
    expect(error.toErrorShape()).toEqual({
      code: "FORBIDDEN",
      message: "missing scope: operator.write",
      details: { code: "MISSING_SCOPE", missingScope: "operator.write", requiredScopes: ["operator.write"] },
    });
    expect(error.toJSON()).toMatchObject({ name: "GatewayRequestError", method: "node.invoke", code: "FORBIDDEN" });
  });

  it("gatewayError builds a throwable shape, recognised across module copies by brand", () => {
    const error = gatewayError("UNAVAILABLE", "busy", undefined, { retryable: true, retryAfterMs: 500 });
    expect(error.toErrorShape()).toEqual({ code: "UNAVAILABLE", message: "busy", retryable: true, retryAfterMs: 500 });
    expect(isGatewayRequestError(error)).toBe(true);
    const foreign = Object.assign(Object.create(null) as object, {
      [Symbol.for("clawbridge.rpc-core.GatewayRequestError")]: true,
    });
    expect(isGatewayRequestError(foreign)).toBe(true);
    expect(isGatewayRequestError(new Error("x"))).toBe(false);
    expect(isGatewayRequestError(null)).toBe(false);
  });
});

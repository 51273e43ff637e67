import * as rpcCore from "@clawbridge/rpc-core";
import { describe, expect, it } from "vitest";
import * as client from "../src/index.js";

describe("error exports", () => {
  it("re-exports the rpc-core errors the client throws, as the same classes", () => {
    for (const name of ["ConnectError", "ConnectionClosedError", "GatewayRequestError", "LocalRpcError", "RequestAbortedError", "RequestTimeoutError", "isGatewayRequestError"] as const) {
      expect(client[name], name).toBeDefined();
      expect(client[name], name).toBe(rpcCore[name]);
    }
  });
});

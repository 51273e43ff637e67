import { ErrorCodes } from "@clawbridge/protocol";
import { expect, it } from "vitest";
import { Peer, Router, createInMemoryTransportPair, gatewayError } from "../src/index.js";

it("the README example works as written", async () => {
  const router = new Router<{ scopes: string[] }>({
    authorize: (_method, _params, ctx) =>
      ctx.scopes.includes("operator.read") ? undefined : { code: ErrorCodes.FORBIDDEN, message: "missing scope: operator.read" },
  });
  router.register("health", () => ({ ok: true, ts: Date.now() }));
  router.register("node.describe", () => {
    throw gatewayError(ErrorCodes.INVALID_REQUEST, "unknown nodeId");
  });

  const [clientSide, serverSide] = createInMemoryTransportPair();
  const server = new Peer(serverSide, { router, context: { scopes: ["operator.read"] }, answerInvalidFrames: true });
  const client = new Peer(clientSide);

  const seen: [string, number | undefined][] = [];
  client.onEvent((frame) => seen.push([frame.event, frame.seq]));
  server.sendEvent("tick", { ts: Date.now() }, { seq: true });
  await expect(client.request("health")).resolves.toMatchObject({ ok: true });
  await expect(client.request("node.describe", { nodeId: "x" })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  expect(seen).toEqual([["tick", 1]]);
});

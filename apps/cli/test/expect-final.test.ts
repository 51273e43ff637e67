import { beforeAll, describe, expect, it } from "vitest";
import { runCli, singleJson } from "./helpers/cli.js";
import { useMockGatewayFixture } from "./helpers/gateway.js";

describe("--expect-final on a two-phase method", () => {
  const fx = useMockGatewayFixture();
  const call = (extra: string[]) =>
    runCli(["gateway", "call", "agent", ...fx.target(), "--params", '{"message":"status report","idempotencyKey":"run-1"}', "--json", ...extra], { env: fx.env });

  beforeAll(() => {
    // OpenClaw's `agent`: an `accepted` answer at once, the final one on the same id later.
    fx.gateway.server.router.register("agent", async ({ frame, accept }) => {
      const runId = (frame.params as { idempotencyKey: string }).idempotencyKey;
      accept({ runId, acceptedAt: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { runId, status: "ok", summary: "completed", result: { text: "all good" } };
    });
  });

  it("without --expect-final the accepted acknowledgement is the result", async () => {
    const result = await call([]);
    expect(result.code).toBe(0);
    expect(singleJson(result.stdout)).toMatchObject({ runId: "run-1", status: "accepted" });
  });

  it("with --expect-final the CLI waits for the final response", async () => {
    const result = await call(["--expect-final"]);
    expect(result.code).toBe(0);
    expect(singleJson(result.stdout)).toEqual({ runId: "run-1", status: "ok", summary: "completed", result: { text: "all good" } });
  });

  it("--expect-final still honours --timeout (request sent, outcome unknown)", async () => {
    const result = await call(["--expect-final", "--timeout", "150"]);
    expect(result.code).toBe(5);
    expect(singleJson(result.stdout)).toMatchObject({ error: { kind: "timeout" } });
  });
});

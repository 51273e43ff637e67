import type { MockGateway } from "@clawbridge/mock-gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, cleanEnv, runCli, singleJson, tempDir } from "./helpers/cli.js";
import { GW_TOKEN, startGateway } from "./helpers/gateway.js";

describe("--expect-final on a two-phase method", () => {
  let gateway: MockGateway;
  let dir: string;
  let cleanup: () => Promise<void>;
  let env: NodeJS.ProcessEnv;
  const call = (extra: string[]) =>
    runCli(
      ["gateway", "call", "agent", "--url", gateway.url, "--token-env", "GW2_TOKEN", "--params", '{"message":"status report","idempotencyKey":"run-1"}', "--json", ...extra],
      { env },
    );

  beforeAll(async () => {
    assertBuilt();
    ({ dir, cleanup } = await tempDir());
    env = cleanEnv(dir, { GW2_TOKEN: GW_TOKEN });
    gateway = await startGateway();
    // OpenClaw's `agent`: an `accepted` answer at once, the final one on the same id later.
    gateway.server.router.register("agent", async ({ frame, accept }) => {
      const runId = (frame.params as { idempotencyKey: string }).idempotencyKey;
      accept({ runId, acceptedAt: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { runId, status: "ok", summary: "completed", result: { text: "all good" } };
    });
  });
  afterAll(async () => {
    await gateway.stop({ graceMs: 100 });
    await cleanup();
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

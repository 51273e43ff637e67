import { describe, expect, it } from "vitest";
import { runningCli, singleJson, runCli } from "./helpers/cli.js";
import { startGateway, unusedPort, useMockGatewayFixture } from "./helpers/gateway.js";

interface EventLine {
  event: string;
  seq: number | null;
  payload: unknown;
}

function parseLines(lines: readonly string[]): EventLine[] {
  return lines.filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as EventLine);
}

describe("gateway watch", () => {
  const fx = useMockGatewayFixture({ gateway: { tickIntervalMs: 1_000 } });

  it("prints events as NDJSON with increasing seq until SIGINT, then exits 0", async () => {
    const cli = runningCli(["gateway", "watch", ...fx.target()], { env: fx.env });
    await cli.waitForLine((line) => line.includes('"event":"tick"') && parseLines([line])[0]?.seq !== undefined);
    // Wait for a few more ticks (counting, not timing).
    await cli.waitForLine(() => parseLines(cli.lines).filter((event) => event.event === "tick").length >= 3);
    cli.child.kill("SIGINT");
    const result = await cli.exited;
    expect(result.code).toBe(0);
    const events = parseLines(result.stdout.split("\n"));
    expect(events[0]).toMatchObject({ event: "health", seq: 1 });
    const seqs = events.map((event) => event.seq);
    expect(seqs.every((seq) => Number.isInteger(seq))).toBe(true);
    expect(seqs).toEqual([...seqs].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(new Set(seqs).size).toBe(seqs.length);
    const ticks = events.filter((event) => event.event === "tick");
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks[0]?.payload).toMatchObject({ ts: expect.any(Number) as unknown });
    expect(cli.stderr()).toContain("watching");
  });

  it("--events filters by name", async () => {
    const cli = runningCli(["gateway", "watch", ...fx.target(), "--events", "tick"], { env: fx.env });
    await cli.waitForLine(() => parseLines(cli.lines).length >= 2);
    cli.child.kill("SIGTERM");
    const result = await cli.exited;
    expect(result.code).toBe(0);
    expect(new Set(parseLines(result.stdout.split("\n")).map((event) => event.event))).toEqual(new Set(["tick"]));
  });

  it("exits with the close reason when the gateway goes away (exit 3; --json envelope on one line)", async () => {
    const doomed = await startGateway({ tickIntervalMs: 1_000 });
    const cli = runningCli(["gateway", "watch", "--url", doomed.url, "--token-env", "GW2_TOKEN", "--json"], { env: fx.env });
    await cli.waitForLine((line) => line.includes('"event":"tick"'));
    await doomed.stop({ graceMs: 100, reason: "maintenance" });
    const result = await cli.exited;
    expect(result.code).toBe(3);
    const lines = result.stdout.trim().split("\n");
    const last = JSON.parse(lines[lines.length - 1] ?? "") as Record<string, unknown>;
    expect(last).toMatchObject({ ok: false, error: { kind: "closed", closeCode: 1012, reason: "service restart" } });
    expect(parseLines(lines.slice(0, -1)).some((event) => event.event === "shutdown")).toBe(true);
  });

  it("a failed connect prints one envelope and the connect exit code", async () => {
    const port = await unusedPort();
    const result = await runCli(["gateway", "watch", "--url", `ws://127.0.0.1:${port}`, "--token-env", "GW2_TOKEN", "--json"], { env: fx.env });
    expect(result.code).toBe(3);
    expect(singleJson(result.stdout)).toMatchObject({ ok: false, error: { kind: "connect", code: "ECONNREFUSED" } });
  });
});

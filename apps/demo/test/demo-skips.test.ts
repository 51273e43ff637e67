import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDemo } from "../src/demo-run.js";
import { formatReport } from "../src/report-format.js";
import { builtBins } from "./helpers/lab.js";

describe("runDemo with parts not built", () => {
  it("marks the skill and relay hops SKIPPED (with the reason), still plays the seed, and cleans up", async () => {
    const bins = { ...builtBins(["clawbridge"]), remoteGateway: "/nonexistent/remote-gateway", relay: "/nonexistent/clawbridge-relay" };
    const progress: string[] = [];
    const tmp = mkdtempSync(join(tmpdir(), "clawbridge-demo-skips-"));
    const report = await runDemo({ bins, tmpDir: tmp, onProgress: (message) => progress.push(message) });
    expect(readdirSync(tmp)).toEqual([]); // the lab's folder is gone
    rmSync(tmp, { recursive: true, force: true });
    expect(report.flows.map((flow) => [flow.name, flow.status])).toEqual([
      ["seed", "ok"],
      ["skill", "skipped"],
      ["relay", "skipped"],
    ]);
    expect(report.flows[1]?.reason).toContain("apps/skill is not built");
    expect(report.flows[2]?.reason).toContain("apps/relay is not built");
    expect(report.ok).toBe(true);
    expect(report.summary).toMatch(/^demo ok: 1\/1 flows .*; SKIPPED: skill, relay;/);
    expect(formatReport(report)).toContain("      SKIPPED: apps/skill is not built");
    expect(progress.some((line) => line.startsWith("skill:"))).toBe(false);
    expect(report.topology.relay).toBeUndefined();
  });
});

import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAllowlistEntry } from "../src/allowlist-entries.js";
import type { DemoBins } from "../src/bin-paths.js";
import { CleanupStack } from "../src/cleanup-stack.js";
import { startSeedLab } from "../src/seed-lab.js";
import type { InvokeOutcome, SeedLab } from "../src/seed-lab.js";
import { builtBins, payloadOf, stdoutJson } from "./helpers/lab.js";

const GW2_TOKEN = "gw2-token-failures-7e3b9d1c5a";

interface ErrorEnvelope {
  ok: false;
  error: { type: string; code?: string; message: string; kind?: string; requestSent?: boolean; details?: Record<string, unknown> };
}

let bins: DemoBins;
let lab: SeedLab;
const cleanup = new CleanupStack();
/** Every system.run output on GW1's side, for the secret check at the end. */
const outputs: string[] = [];

function seedArgv(...extra: string[]): string[] {
  return [bins.clawbridge, "gateway", "call", "node.list", "--remote", "gw2", ...extra, "--json"];
}

/** Runs on WN1 and returns what GW1's caller gets: exit code and the error envelope on stdout. */
async function failingRun(outcome: Promise<InvokeOutcome>): Promise<{ exitCode: number | null; envelope: ErrorEnvelope; stderr: string }> {
  const payload = payloadOf(await outcome);
  outputs.push(payload.stdout, payload.stderr);
  return { exitCode: payload.exitCode, envelope: stdoutJson<ErrorEnvelope>(payload), stderr: payload.stderr };
}

beforeAll(async () => {
  bins = builtBins(["clawbridge"]);
  lab = await startSeedLab({ clawbridgeBin: bins.clawbridge, gw2Token: GW2_TOKEN, cleanup });
  lab.wn1Allowlist.push(seedAllowlistEntry(bins.clawbridge));
});

afterAll(async () => {
  await cleanup.run();
});

describe("failure paths, as GW1's caller sees them", () => {
  it("a command off WN1's allowlist: node.invoke fails with SYSTEM_RUN_DENIED and nothing runs", async () => {
    const denied = [
      ["/usr/bin/cat", lab.gw2TokenFile], // an agent trying to read the secret
      [bins.clawbridge, "remote", "show", "gw2", "--json"], // the allowlisted bin, another subcommand
      [bins.clawbridge, "gateway", "call", "node.list", "--remote", "gw3", "--json"], // another remote
      [process.execPath, bins.clawbridge, "gateway", "call", "node.list", "--remote", "gw2", "--json"], // via node
    ];
    const ran = lab.wn1.invocations.filter((invocation) => invocation.ok).length;
    for (const argv of denied) {
      const outcome = await lab.invoke(argv);
      expect(outcome.ok, argv.join(" ")).toBe(false);
      if (outcome.ok) continue;
      expect(outcome.error.code).toBe("UNAVAILABLE");
      expect(outcome.error.message).toContain("SYSTEM_RUN_DENIED");
      expect(outcome.error.details).toMatchObject({ nodeError: { code: "SYSTEM_RUN_DENIED", message: "SYSTEM_RUN_DENIED: allowlist miss" } });
    }
    expect(lab.wn1.invocations.filter((invocation) => invocation.ok).length).toBe(ran);
  });

  it("GW2 slower than --timeout: exit 5, a timeout envelope that says the request was sent", async () => {
    lab.gw2.faults.set("node.list", { delayMs: 60_000 });
    try {
      const { exitCode, envelope } = await failingRun(lab.invoke(seedArgv("--timeout", "4000")));
      expect(exitCode).toBe(5);
      expect(envelope).toMatchObject({ ok: false, error: { type: "gateway_transport_error", kind: "timeout", requestSent: true } });
    } finally {
      lab.gw2.faults.clear();
    }
  });

  it("a wrong GW2 secret in WN1's token file: exit 4 (connect rejected), and neither secret is echoed", async () => {
    const wrong = "gw2-wrong-token-0f9e8d7c6b";
    writeFileSync(lab.gw2TokenFile, `${wrong}\n`, { mode: 0o600 });
    try {
      const { exitCode, envelope, stderr } = await failingRun(lab.invoke(seedArgv()));
      expect(exitCode).toBe(4);
      expect(envelope).toMatchObject({ ok: false, error: { type: "gateway_request_error" } });
      expect(JSON.stringify(envelope) + stderr).not.toContain(wrong);
    } finally {
      writeFileSync(lab.gw2TokenFile, `${GW2_TOKEN}\n`, { mode: 0o600 });
    }
    // Restored: the same command works again (the failure was the secret, nothing else).
    const payload = payloadOf(await lab.invoke(seedArgv()));
    expect(payload.exitCode, payload.stdout).toBe(0);
  });

  it("GW2 down: exit 3 (cannot connect) with a transport error envelope in payload.stdout", async () => {
    await lab.stopGw2();
    const { exitCode, envelope } = await failingRun(lab.invoke(seedArgv()));
    expect(exitCode).toBe(3);
    expect(envelope).toMatchObject({ ok: false, error: { type: "gateway_transport_error", kind: "connect" } });
  });

  it("no failure put GW2's secret into what GW1 saw (outputs, traffic, logs) or the argv WN1 spawned", () => {
    expect(outputs.length).toBeGreaterThanOrEqual(6);
    const places = {
      outputs: outputs.join("\n"),
      gw1Traffic: lab.gw1Tap.text(),
      gw1Logs: lab.gw1.logs.tail(undefined, 5_000, 50_000_000).lines.join("\n"),
      argv: JSON.stringify(lab.wn1.invocations.map((invocation) => invocation.params)),
    };
    for (const [place, text] of Object.entries(places)) expect(text.includes(GW2_TOKEN), place).toBe(false);
  });
});

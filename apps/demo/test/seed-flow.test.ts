import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relayAllowlistEntry, seedAllowlistEntry } from "../src/allowlist-entries.js";
import { pathWithCurrentNode } from "../src/bin-paths.js";
import type { DemoBins } from "../src/bin-paths.js";
import { CleanupStack } from "../src/cleanup-stack.js";
import { runFlow } from "../src/flow-run.js";
import { startRelay } from "../src/relay-process.js";
import { startSeedLab } from "../src/seed-lab.js";
import type { SeedLab } from "../src/seed-lab.js";
import { installSkillOnWn1 } from "../src/skill-setup.js";
import { builtBins, payloadOf, stdoutJson } from "./helpers/lab.js";

const GW1_TOKEN = "gw1-token-e2e-5b1f0c9a7d2e4f36";
const GW2_TOKEN = "gw2-token-e2e-8c4d2a9b1e7f3a50";

let bins: DemoBins;
let lab: SeedLab;
const cleanup = new CleanupStack();

/** Everything WN1's commands printed so far, across tests (for the secret scan). */
const wn1Output: string[] = [];

function seedArgv(): string[] {
  return [bins.clawbridge, "gateway", "call", "node.list", "--remote", "gw2", "--json"];
}

beforeAll(async () => {
  bins = builtBins();
  lab = await startSeedLab({ clawbridgeBin: bins.clawbridge, gw1Token: GW1_TOKEN, gw2Token: GW2_TOKEN, cleanup });
  lab.wn1Allowlist.push(seedAllowlistEntry(bins.clawbridge));
});

afterAll(async () => {
  await cleanup.run();
});

describe("the seed on mocks: GW1 node.invoke → WN1 system.run → real clawbridge → GW2", () => {
  it("GW2's node list comes back in payload.stdout with exitCode 0", async () => {
    const outcome = await lab.invoke(seedArgv());
    const payload = payloadOf(outcome);
    wn1Output.push(payload.stdout, payload.stderr);
    expect(payload.exitCode, payload.stderr).toBe(0);
    expect(payload.timedOut).toBe(false);
    expect(payload.stderr).toBe("");
    const listed = stdoutJson<{ nodes: Array<Record<string, unknown>> }>(payload);
    expect(listed.nodes).toEqual([expect.objectContaining({ nodeId: lab.wn2.nodeId, displayName: "WN2", connected: true })]);
    // The node ran exactly the seed's argv: the real bin, by absolute path, no secret on it.
    expect(lab.wn1.invocations.at(-1)).toMatchObject({ command: "system.run", ok: true, params: { command: seedArgv(), agentId: "main", suppressNotifyOnExit: true } });
  });

  it("the hop split sees every hop: GW1 dispatch, the CLI's own connection to GW2, GW2's node.list", async () => {
    const flow = await runFlow(lab, "seed", "seed", seedArgv());
    if (flow.outcome?.ok === true) wn1Output.push(flow.outcome.payload.stdout, flow.outcome.payload.stderr);
    expect(flow.status, flow.reason).toBe("ok");
    const hops = flow.hops;
    for (const key of ["gw1DispatchMs", "wn1SpawnCliMs", "cliStartMs", "gw2HandshakeMs", "gw2RpcMs", "wn1ReturnMs", "gw1ReturnMs"] as const) {
      expect(hops?.[key], key).toBeGreaterThanOrEqual(0);
    }
    // The parts fit inside the whole.
    expect(hops?.wn1SpawnCliMs ?? Infinity).toBeLessThanOrEqual(hops?.gw1RoundTripMs ?? 0);
    expect(hops?.gw2RpcMs ?? Infinity).toBeLessThanOrEqual(hops?.wn1SpawnCliMs ?? 0);
  });

  it("through the remote-gateway skill, allowlisted with the entry `clawbridge skill install` prints", async () => {
    const report = await installSkillOnWn1(lab, bins.clawbridge, bins.remoteGateway);
    expect(report.allowlistEntry.pattern).toBe(bins.remoteGateway);
    expect(lab.wn1Allowlist).toContainEqual(report.allowlistEntry);
    const payload = payloadOf(await lab.invoke([bins.remoteGateway, "list_nodes", "gw2"]));
    wn1Output.push(payload.stdout, payload.stderr);
    expect(payload.exitCode, payload.stderr).toBe(0);
    expect(stdoutJson<{ nodes: unknown[] }>(payload).nodes).toEqual([expect.objectContaining({ nodeId: lab.wn2.nodeId, displayName: "WN2" })]);
  });

  it("through clawbridge-relay: WN1 holds a relay token only; the relay holds GW2's", async () => {
    const tokenFile = join(lab.wn1ConfigDir, "secrets", "relay.token");
    const relay = await startRelay({
      bin: bins.relay,
      dir: join(lab.dir, "relay"),
      gw2Url: lab.gw2Tap.url,
      gw2Token: GW2_TOKEN,
      clientTokenFile: tokenFile,
      env: { PATH: pathWithCurrentNode() },
      cleanup,
    });
    const url = `${relay.url}/gw/gw2`;
    lab.wn1Allowlist.push(relayAllowlistEntry(bins.clawbridge, url, tokenFile));
    const gw2ConnectionsBefore = lab.gw2Tap.connections().length;
    const payload = payloadOf(await lab.invoke([bins.clawbridge, "gateway", "call", "node.list", "--url", url, "--token-file", tokenFile, "--json"]));
    wn1Output.push(payload.stdout, payload.stderr);
    expect(payload.exitCode, payload.stderr).toBe(0);
    expect(stdoutJson<{ nodes: unknown[] }>(payload).nodes).toEqual([expect.objectContaining({ nodeId: lab.wn2.nodeId })]);
    // The call rode the relay's existing upstream link: no new connection reached GW2.
    expect(lab.gw2Tap.connections().length).toBe(gw2ConnectionsBefore);
    await relay.stop();
    const audit = readFileSync(relay.auditFile, "utf8");
    expect(audit).toContain('"method":"node.list"');
    expect(audit).not.toContain(GW2_TOKEN);
    expect(audit).not.toContain(readFileSync(tokenFile, "utf8").trim());
  });

  it("GW2's secret is absent from the argv WN1 spawned, GW1's traffic and logs, and WN1's stdout/stderr", () => {
    const argv = JSON.stringify(lab.wn1.invocations.map((invocation) => invocation.params));
    const gw1Traffic = lab.gw1Tap.text();
    const gw1Logs = lab.gw1.logs.tail(undefined, 5_000, 50_000_000).lines.join("\n");
    // Controls: the recordings hold what went through (so "absent" means something).
    expect(lab.wn1.invocations.length).toBeGreaterThanOrEqual(4);
    expect(gw1Traffic).toContain('"node.invoke.request"');
    expect(gw1Traffic).toContain("--remote");
    expect(gw1Traffic).toContain(GW1_TOKEN); // the operator's and WN1's own connect to GW1
    expect(gw1Logs).toContain("connect");
    expect(wn1Output.join("")).toContain(lab.wn2.nodeId);

    for (const [place, text] of Object.entries({ argv, gw1Traffic, gw1Logs, wn1Output: wn1Output.join("\n") })) {
      expect(text.includes(GW2_TOKEN), place).toBe(false);
    }
  });

  it("WN1's own secret (GW1's token in its environment) never reaches GW2", () => {
    const gw2Traffic = lab.gw2Tap.text();
    expect(gw2Traffic).toContain(GW2_TOKEN); // control: the CLI authenticated with the gw2 profile's token
    expect(gw2Traffic).not.toContain(GW1_TOKEN);
  });

  it("control: the seed's literal `--token` pattern puts GW2's secret on argv and into GW1's traffic", async () => {
    const leaky = { pattern: bins.clawbridge, argPattern: "^gateway call node\\.list --url \\S+ --token \\S+ --json$" };
    lab.wn1Allowlist.push(leaky);
    try {
      const payload = payloadOf(await lab.invoke([bins.clawbridge, "gateway", "call", "node.list", "--url", lab.gw2Tap.url, "--token", GW2_TOKEN, "--json"]));
      expect(payload.exitCode).toBe(0);
      expect(payload.stderr).toMatch(/^warning: --token on the command line/);
      expect(JSON.stringify(lab.wn1.invocations.at(-1))).toContain(GW2_TOKEN);
      expect(lab.gw1Tap.text()).toContain(GW2_TOKEN);
    } finally {
      lab.wn1Allowlist.splice(lab.wn1Allowlist.indexOf(leaky), 1);
    }
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { ExecAllowlistEntry } from "@clawbridge/mock-gateway";
import { relayAllowlistEntry, seedAllowlistEntry } from "./allowlist-entries.js";
import { demoBins, isExecutable, pathWithCurrentNode } from "./bin-paths.js";
import type { DemoBins } from "./bin-paths.js";
import { CleanupStack } from "./cleanup-stack.js";
import { runFlow } from "./flow-run.js";
import type { FlowName, FlowResult } from "./flow-run.js";
import { startRelay } from "./relay-process.js";
import type { RelayProcess } from "./relay-process.js";
import { scanForSecrets } from "./secret-scan.js";
import type { SecretExposure } from "./secret-scan.js";
import { startSeedLab } from "./seed-lab.js";
import type { SeedLab } from "./seed-lab.js";
import { installSkillOnWn1 } from "./skill-setup.js";

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** The bins to run. Default: the workspace's built ones ({@link demoBins}). */
  readonly bins?: DemoBins | undefined;
  /** Teardown is registered here (so a signal handler can run it too); run before returning. Default: a private stack. */
  readonly cleanup?: CleanupStack | undefined;
  /** Parent of the temp folder. Default `os.tmpdir()`. */
  readonly tmpDir?: string | undefined;
  /** One short line per step as it starts (the bin writes them to stderr). */
  readonly onProgress?: ((message: string) => void) | undefined;
}

/** The guard: something not on WN1's allowlist, asked for through the same path. */
export interface GuardResult {
  readonly argv: readonly string[];
  /** True when WN1 refused it (`SYSTEM_RUN_DENIED`). */
  readonly denied: boolean;
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

/** Everything the demo did and saw; `--json` prints it. */
export interface DemoReport {
  /** All flows that ran succeeded, the guard held and no secret was found anywhere. */
  readonly ok: boolean;
  /** Wall time from start to the report, setup included, teardown not (ms). */
  readonly durationMs: number;
  readonly topology: {
    readonly gw1: { readonly url: string };
    readonly gw2: { readonly url: string };
    readonly wn1: { readonly nodeId: string; readonly configDir: string; readonly gw2TokenFile: string };
    readonly wn2: { readonly nodeId: string };
    readonly relay?: { readonly url: string } | undefined;
  };
  /** WN1's exec allowlist at the end (security `allowlist`). */
  readonly wn1Allowlist: readonly ExecAllowlistEntry[];
  /** Flows without their raw outcome. */
  readonly flows: ReadonlyArray<Omit<FlowResult, "outcome">>;
  readonly guard: GuardResult;
  readonly secrets: readonly SecretExposure[];
  /** The last line the demo prints. */
  readonly summary: string;
}

function withoutOutcome(flow: FlowResult): Omit<FlowResult, "outcome"> {
  const { outcome: _outcome, ...rest } = flow;
  return rest;
}

const SKILL_TITLE = "via the remote-gateway skill: the agent names a remote, never a URL or a token";
const RELAY_TITLE = "via clawbridge-relay: WN1 holds only a relay token, the relay holds GW2's";

/** The skill installed on WN1 (its allowlist entry added), or the flow's result without a run (skipped or failed). */
type SkillSetup = { readonly argv: readonly string[] } | { readonly notRun: FlowResult };

/** A set-up step that threw becomes a failed flow: the other flows still run and report. */
function failedSetup(name: FlowName, title: string, error: unknown): { notRun: FlowResult } {
  return { notRun: { name, title, status: "failed", reason: `set-up failed: ${error instanceof Error ? error.message : String(error)}` } };
}

async function setUpSkill(lab: SeedLab, bins: DemoBins): Promise<SkillSetup> {
  if (!isExecutable(bins.remoteGateway)) {
    return { notRun: { name: "skill", title: SKILL_TITLE, status: "skipped", reason: `apps/skill is not built (${bins.remoteGateway}); run pnpm build` } };
  }
  const report = await installSkillOnWn1(lab, bins.clawbridge, bins.remoteGateway);
  return { argv: [report.allowlistEntry.pattern, "list_nodes", "gw2"] };
}

/** The relay running with WN1's argv allowlisted, or the flow's result without a run. */
type RelaySetup = { readonly relay: RelayProcess; readonly argv: readonly string[] } | { readonly notRun: FlowResult };

async function setUpRelay(lab: SeedLab, bins: DemoBins, cleanup: CleanupStack): Promise<RelaySetup> {
  if (!isExecutable(bins.relay)) {
    return { notRun: { name: "relay", title: RELAY_TITLE, status: "skipped", reason: `apps/relay is not built (${bins.relay}); run pnpm build` } };
  }
  const clientTokenFile = join(lab.wn1ConfigDir, "secrets", "relay.token");
  const relay = await startRelay({
    bin: bins.relay,
    dir: join(lab.dir, "relay"),
    gw2Url: lab.gw2Tap.url,
    gw2Token: lab.gw2Token,
    clientTokenFile,
    env: { PATH: pathWithCurrentNode() },
    cleanup,
  });
  const url = `${relay.url}/gw/gw2`;
  lab.wn1Allowlist.push(relayAllowlistEntry(bins.clawbridge, url, clientTokenFile));
  return { relay, argv: [bins.clawbridge, "gateway", "call", "node.list", "--url", url, "--token-file", clientTokenFile, "--json"] };
}

function summaryLine(ok: boolean, flows: readonly FlowResult[], guard: GuardResult, secrets: readonly SecretExposure[], durationMs: number): string {
  const ran = flows.filter((flow) => flow.status !== "skipped");
  const passed = ran.filter((flow) => flow.status === "ok");
  const skipped = flows.filter((flow) => flow.status === "skipped").map((flow) => flow.name);
  const times = passed.map((flow) => `${flow.name} ${Math.round(flow.hops?.gw1RoundTripMs ?? 0)} ms`).join(", ");
  const leaks = secrets.filter((exposure) => exposure.found).map((exposure) => `${exposure.secret} in ${exposure.place}`);
  const parts = [
    `${passed.length}/${ran.length} flows brought GW2's node list back to GW1's caller${times === "" ? "" : ` (${times})`}`,
    ...(skipped.length > 0 ? [`SKIPPED: ${skipped.join(", ")}`] : []),
    guard.denied ? "WN1 refused a command off its allowlist" : "WN1 did NOT refuse a command off its allowlist",
    leaks.length === 0 ? `no secret in ${[...new Set(secrets.map((exposure) => exposure.place))].length} places checked` : `LEAKED: ${leaks.join(", ")}`,
    `${(durationMs / 1000).toFixed(1)} s`,
  ];
  return `${ok ? "demo ok" : "demo FAILED"}: ${parts.join("; ")}`;
}

/**
 * Plays the seed on two mock clusters with the real bins: the seed flow (`clawbridge
 * gateway call node.list --remote gw2 --json`), the same through the remote-gateway skill
 * and through clawbridge-relay, then a guard (a command off WN1's allowlist) and a secret
 * scan over argv, GW1's traffic and logs, WN1's output, GW2's traffic and the relay's
 * audit log. Tears everything down before it returns (also when a step throws).
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const started = performance.now();
  const bins = options.bins ?? demoBins();
  const cleanup = options.cleanup ?? new CleanupStack();
  const progress = options.onProgress ?? (() => undefined);
  try {
    progress("starting GW1 + WN1 and GW2 + WN2 (mock gateways, loopback), clawbridge remote add gw2 on WN1");
    if (!isExecutable(bins.clawbridge)) throw new Error(`${bins.clawbridge} is not built: run pnpm build first`);
    const lab = await startSeedLab({ clawbridgeBin: bins.clawbridge, tmpDir: options.tmpDir, cleanup });

    lab.wn1Allowlist.push(seedAllowlistEntry(bins.clawbridge));
    progress("seed: node.invoke system.run → clawbridge gateway call node.list --remote gw2 --json");
    const seed = await runFlow(lab, "seed", "the seed, made safe: a named remote instead of --url/--token on argv", [
      bins.clawbridge,
      "gateway",
      "call",
      "node.list",
      "--remote",
      "gw2",
      "--json",
    ]);
    // Both set-ups start processes but measure nothing: run them side by side, between flows.
    progress("clawbridge skill install on WN1, and starting clawbridge-relay (upstream gw2)");
    const [skillSetup, relaySetup] = await Promise.all([
      setUpSkill(lab, bins).catch((error: unknown) => failedSetup("skill", SKILL_TITLE, error)),
      setUpRelay(lab, bins, cleanup).catch((error: unknown) => failedSetup("relay", RELAY_TITLE, error)),
    ]);
    let skill: FlowResult;
    if ("notRun" in skillSetup) skill = skillSetup.notRun;
    else {
      progress("skill: node.invoke system.run → remote-gateway list_nodes gw2");
      skill = await runFlow(lab, "skill", SKILL_TITLE, skillSetup.argv);
    }
    let relayResult: FlowResult;
    if ("notRun" in relaySetup) relayResult = relaySetup.notRun;
    else {
      progress("relay: node.invoke system.run → clawbridge gateway call node.list --url <relay>/gw/gw2 --token-file …");
      relayResult = await runFlow(lab, "relay", RELAY_TITLE, relaySetup.argv);
    }
    const relay = "relay" in relaySetup ? relaySetup.relay : undefined;
    const flows = [seed, skill, relayResult];

    progress("guard (a command off WN1's allowlist) and secret scan");
    const guardArgv = ["/usr/bin/cat", lab.gw2TokenFile];
    const guardOutcome = await lab.invoke(guardArgv);
    const guard: GuardResult = guardOutcome.ok
      ? { argv: guardArgv, denied: false }
      : {
          argv: guardArgv,
          denied: JSON.stringify(guardOutcome.error).includes("SYSTEM_RUN_DENIED"),
          error: { code: guardOutcome.error.code, message: guardOutcome.error.message },
        };

    const outputs = flows.map((flow) => (flow.outcome?.ok === true ? `${flow.outcome.payload.stdout}\n${flow.outcome.payload.stderr}` : "")).join("\n");
    const secretValues: Record<string, string> = { "GW2 token": lab.gw2Token };
    const places: Record<string, string> = {
      "argv WN1 spawned": JSON.stringify(lab.wn1.invocations),
      "GW1 traffic": lab.gw1Tap.text(),
      "GW1 logs": lab.gw1.logs.tail(undefined, 5_000, 50_000_000).lines.join("\n"),
      "WN1 stdout/stderr": outputs,
    };
    if (relay !== undefined) {
      // The audit log is written in batches; stopping the relay flushes it.
      await relay.stop();
      secretValues["relay client token"] = readFileSync(join(lab.wn1ConfigDir, "secrets", "relay.token"), "utf8").trim();
      places["relay audit log"] = readAuditLog(relay);
    }
    const secrets = [
      ...scanForSecrets(secretValues, places),
      // WN1's own environment holds GW1's token: it must never be what reaches GW2.
      ...scanForSecrets({ "GW1 token": lab.gw1Token }, { "GW2 traffic": lab.gw2Tap.text() }),
    ];

    const ok =
      flows.every((flow) => flow.status !== "failed") && guard.denied && secrets.every((exposure) => !exposure.found);
    const durationMs = performance.now() - started;
    return {
      ok,
      durationMs: Math.round(durationMs),
      topology: {
        gw1: { url: lab.gw1Tap.url },
        gw2: { url: lab.gw2Tap.url },
        wn1: { nodeId: lab.wn1.nodeId, configDir: lab.wn1ConfigDir, gw2TokenFile: lab.gw2TokenFile },
        wn2: { nodeId: lab.wn2.nodeId },
        ...(relay !== undefined ? { relay: { url: `${relay.url}/gw/gw2` } } : {}),
      },
      wn1Allowlist: [...lab.wn1Allowlist],
      flows: flows.map(withoutOutcome),
      guard,
      secrets,
      summary: summaryLine(ok, flows, guard, secrets, durationMs),
    };
  } finally {
    await cleanup.run();
  }
}

function readAuditLog(relay: RelayProcess): string {
  try {
    return readFileSync(relay.auditFile, "utf8");
  } catch {
    // Batched writes: nothing flushed yet means nothing to leak yet.
    return "";
  }
}

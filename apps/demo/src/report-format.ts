import { basename } from "node:path";
import type { DemoReport } from "./demo-run.js";
import type { FlowResult } from "./flow-run.js";
import type { HopTimings } from "./hop-timeline.js";

type Flow = Omit<FlowResult, "outcome">;

/** Width of the hop description column. */
const COLUMN = 74;

function ms(value: number | undefined): string {
  return value === undefined ? "    n/a" : `${value.toFixed(1).padStart(7)} ms`;
}

function hop(text: string, value: number | undefined): string {
  return `      ${text.padEnd(COLUMN)}${ms(value)}`;
}

/** The bin's name as a user types it (`…/dist/bin/clawbridge` or `x.mjs` → `clawbridge`, `x`). */
function binName(path: string): string {
  return basename(path).replace(/\.m?js$/, "");
}

/** argv as a readable command line: argv[0] by name, WN1's config dir as `$CLAWBRIDGE_CONFIG_DIR`. */
function commandLine(argv: readonly string[], configDir: string): string {
  const [program, ...rest] = argv;
  return [program === undefined ? "" : binName(program), ...rest.map((arg) => arg.split(configDir).join("$CLAWBRIDGE_CONFIG_DIR"))].join(" ");
}

function hopLines(flow: Flow, hops: HopTimings): string[] {
  const program = flow.argv?.[0] === undefined ? "the command" : binName(flow.argv[0]);
  const lines = [hop("operator → GW1 node.invoke system.run → GW1 → WN1 node.invoke.request", hops.gw1DispatchMs)];
  if (hops.cliStartMs !== undefined) {
    lines.push(hop(`WN1 spawns ${program}: process start-up until it connects to GW2`, hops.cliStartMs));
    lines.push(hop(`${program} ⇄ GW2 handshake (challenge, connect, hello-ok)`, hops.gw2HandshakeMs));
  } else {
    lines.push(hop(`WN1 spawns ${program} → relay → GW2 (relay's pooled, paired link)`, hops.dispatchToGw2Ms));
  }
  lines.push(hop(`GW2 answers node.list`, hops.gw2RpcMs));
  lines.push(hop(`${program} prints and exits → WN1 → GW1 node.invoke.result`, hops.wn1ReturnMs));
  lines.push(hop("GW1 → operator node.invoke response", hops.gw1ReturnMs));
  lines.push(
    `      = GW1 node.invoke round trip ${hops.gw1RoundTripMs.toFixed(1)} ms · WN1 spawn+CLI ${hops.wn1SpawnCliMs?.toFixed(1) ?? "n/a"} ms · GW2 RPC ${hops.gw2RpcMs?.toFixed(1) ?? "n/a"} ms`,
  );
  return lines;
}

function flowLines(flow: Flow, index: number, configDir: string): string[] {
  const lines = [`[${index + 1}] ${flow.name} — ${flow.title}`];
  if (flow.status === "skipped") return [...lines, `      SKIPPED: ${flow.reason ?? ""}`];
  if (flow.argv !== undefined) lines.push(`      WN1 runs: ${commandLine(flow.argv, configDir)}`);
  if (flow.hops !== undefined) lines.push(...hopLines(flow, flow.hops));
  if (flow.status === "failed") return [...lines, `      FAILED: ${flow.reason ?? ""}`];
  const nodes = (flow.nodes ?? [])
    .map((node) => `${node.displayName ?? "?"} ${node.nodeId.slice(0, 12)}…${node.connected === true ? " (connected)" : ""}`)
    .join(", ");
  lines.push(`      payload.exitCode ${flow.exitCode ?? "?"}; payload.stdout = GW2's node.list: ${nodes}`);
  return lines;
}

/**
 * The demo's human output: the topology, each flow hop by hop with latencies, WN1's
 * allowlist, the guard, the secret scan, and the summary line last.
 */
export function formatReport(report: DemoReport): string {
  const { topology } = report;
  const lines = [
    "clawbridge demo — the seed on loopback: operator on GW1 → node.invoke → WN1 system.run → clawbridge → GW2",
    "",
    `  cluster 1  GW1 ${topology.gw1.url} (MockGateway)   WN1 ${topology.wn1.nodeId.slice(0, 12)}… (MockNode: system.run approved, exec security "allowlist")`,
    `  cluster 2  GW2 ${topology.gw2.url} (MockGateway)   WN2 ${topology.wn2.nodeId.slice(0, 12)}…`,
    `  WN1: CLAWBRIDGE_CONFIG_DIR=${topology.wn1.configDir}`,
    `       remote gw2 → ${topology.gw2.url}, scope ceiling operator.read, token from file $CLAWBRIDGE_CONFIG_DIR/secrets/gw2.token (0600)`,
    ...(topology.relay !== undefined ? [`  relay: ${topology.relay.url} (clawbridge-relay child process; holds GW2's token, WN1 holds a relay token)`] : []),
    "  WN1 exec allowlist:",
    ...report.wn1Allowlist.map((entry) => `    ${entry.pattern}  argPattern ${entry.argPattern ?? "(any)"}`.split(topology.wn1.configDir).join("$CLAWBRIDGE_CONFIG_DIR")),
    "",
  ];
  report.flows.forEach((flow, index) => {
    lines.push(...flowLines(flow, index, topology.wn1.configDir), "");
  });
  const guardCommand = commandLine(report.guard.argv, topology.wn1.configDir);
  lines.push(
    report.guard.denied
      ? `guard: operator asks WN1 to run \`${guardCommand}\` → refused: ${report.guard.error?.code ?? ""} ${report.guard.error?.message ?? ""}`
      : `guard: FAILED — WN1 ran \`${guardCommand}\``,
  );
  const bySecret = new Map<string, { absent: string[]; found: string[] }>();
  for (const exposure of report.secrets) {
    const entry = bySecret.get(exposure.secret) ?? { absent: [], found: [] };
    (exposure.found ? entry.found : entry.absent).push(exposure.place);
    bySecret.set(exposure.secret, entry);
  }
  for (const [secret, { absent, found }] of bySecret) {
    lines.push(
      found.length === 0
        ? `secrets: ${secret} absent from ${absent.join(", ")}`
        : `secrets: ${secret} FOUND in ${found.join(", ")}${absent.length > 0 ? ` (absent from ${absent.join(", ")})` : ""}`,
    );
  }
  lines.push("", report.summary);
  return `${lines.join("\n")}\n`;
}

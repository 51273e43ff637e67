import { hopTimings } from "./hop-timeline.js";
import type { HopTimings } from "./hop-timeline.js";
import type { InvokeOutcome, SeedLab } from "./seed-lab.js";

/** The three ways WN1 reaches GW2. */
export type FlowName = "seed" | "skill" | "relay";

/** A node as GW2's `node.list` reported it (the fields the demo shows). */
export interface ListedNode {
  readonly nodeId: string;
  readonly displayName?: string | undefined;
  readonly connected?: boolean | undefined;
}

/** The outcome of one flow. */
export interface FlowResult {
  readonly name: FlowName;
  /** One line: what the flow shows. */
  readonly title: string;
  /** `ok`: GW2's WN2 came back to GW1's caller; `failed`; `skipped` (a part is not built). */
  readonly status: "ok" | "failed" | "skipped";
  /** Why it failed or was skipped. */
  readonly reason?: string | undefined;
  /** argv WN1 ran. */
  readonly argv?: readonly string[] | undefined;
  /** `payload.exitCode` of the run. */
  readonly exitCode?: number | null | undefined;
  /** GW2's nodes, from `payload.stdout`. */
  readonly nodes?: readonly ListedNode[] | undefined;
  readonly hops?: HopTimings | undefined;
  /** The raw `node.invoke` outcome (not serialised in reports: stdout is in `nodes`). */
  readonly outcome?: InvokeOutcome | undefined;
}

function listedNodes(stdout: string): ListedNode[] | undefined {
  try {
    const parsed = JSON.parse(stdout) as { nodes?: unknown };
    if (!Array.isArray(parsed.nodes)) return undefined;
    return parsed.nodes
      .filter((node): node is Record<string, unknown> => typeof node === "object" && node !== null && typeof (node as Record<string, unknown>)["nodeId"] === "string")
      .map((node) => ({
        nodeId: node["nodeId"] as string,
        ...(typeof node["displayName"] === "string" ? { displayName: node["displayName"] } : {}),
        ...(typeof node["connected"] === "boolean" ? { connected: node["connected"] } : {}),
      }));
  } catch {
    return undefined;
  }
}

/**
 * Runs one flow: the operator's `node.invoke system.run` of `argv` on WN1, then checks
 * that it succeeded end to end — the node answered, the command exited 0, and its
 * stdout is GW2's `node.list` with WN2 in it — and splits the time into hops.
 *
 * @param method - the gateway method the command calls on GW2 (for the hop split)
 */
export async function runFlow(lab: SeedLab, name: FlowName, title: string, argv: readonly string[], method = "node.list"): Promise<FlowResult> {
  const outcome = await lab.invoke(argv);
  const base = { name, title, argv, outcome };
  if (!outcome.ok) return { ...base, status: "failed", reason: `node.invoke failed: ${outcome.error.code} ${outcome.error.message}` };
  const hops = hopTimings(outcome, lab.gw1Tap.frames(), lab.gw2Tap.frames(), lab.gw2Tap.connections(), method);
  const { exitCode, stdout, stderr } = outcome.payload;
  if (exitCode !== 0) {
    return { ...base, status: "failed", exitCode, hops, reason: `exit ${exitCode}: ${(stderr.trim() || stdout.trim()).slice(0, 500)}` };
  }
  const nodes = listedNodes(stdout);
  if (nodes === undefined) return { ...base, status: "failed", exitCode, hops, reason: `stdout is not a node list: ${stdout.slice(0, 200)}` };
  if (!nodes.some((node) => node.nodeId === lab.wn2.nodeId)) {
    return { ...base, status: "failed", exitCode, hops, nodes, reason: "GW2's worker node WN2 is not in the answer" };
  }
  return { ...base, status: "ok", exitCode, nodes, hops };
}

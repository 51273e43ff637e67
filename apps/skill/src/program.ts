import { Command } from "commander";
import type { OutputConfiguration } from "commander";
import { SKILL_EXIT_CODE_HELP } from "./exit-code-help.js";
import type { VerbInvocation } from "./run-verb.js";
import { SKILL_VERSION } from "./version.js";
import { VERB_NAMES, VERBS } from "./verbs.js";
import type { VerbSpec } from "./verbs.js";

/** Options commander collects for a verb. */
interface VerbOptions {
  params?: string | undefined;
  timeout?: string | undefined;
}

function usageLine(spec: VerbSpec): string {
  const args = spec.args.map((arg) => ` <${arg.name}>`).join("");
  return `remote-gateway ${spec.name}${spec.remote ? " <remote_id>" : ""}${args}${spec.params ? " [--params <json>]" : ""}${spec.remote ? " [--timeout <ms>]" : ""}`;
}

/** The `Gateway method(s):` line of a verb's help. */
function methodsHelp(spec: VerbSpec): string {
  if (spec.methods.length > 0) return spec.methods.join(", ");
  if (spec.name === "call") return "<method> as given (within the remote's skill policy and scope ceiling)";
  return "none (reads the local remote profiles; connects to no gateway)";
}

const EXAMPLES: Readonly<Record<string, string>> = {
  list_nodes: "remote-gateway list_nodes gw2",
  describe_node: "remote-gateway describe_node gw2 <nodeId>",
  status: "remote-gateway status gw2",
  health: "remote-gateway health gw2",
  presence: "remote-gateway presence gw2",
  pending_pairings: "remote-gateway pending_pairings gw2",
  pending_approvals: "remote-gateway pending_approvals gw2",
  invoke: `remote-gateway invoke gw2 <nodeId> canvas.snapshot --params '{"format":"png"}'`,
  call: "remote-gateway call gw2 sessions.list --params '{}'",
  remotes: "remote-gateway remotes",
};

/**
 * The verb parser. Definitions only: `onVerb` runs the chosen verb. Arguments must come
 * in the documented order for WN1's exec allowlist to match them, so help shows exactly
 * that order.
 *
 * @param onVerb - receives the parsed invocation
 * @param outputConfig - where commander writes help and parse errors
 */
export function buildProgram(onVerb: (invocation: VerbInvocation) => Promise<void>, outputConfig: OutputConfiguration = {}): Command {
  const program = new Command("remote-gateway");
  // Before any subcommand exists: commander copies these settings to children.
  program.exitOverride();
  program.configureOutput(outputConfig);
  // The verb list is the contract (SKILL.md, the exec argPattern): no implicit `help` verb.
  program.helpCommand(false);
  program
    .description("Query and operate an OpenClaw Gateway in another cluster by remote id (URLs and secrets stay in the remote profile).")
    .usage("<verb> <remote_id> [args] [--params <json>] [--timeout <ms>]")
    .version(SKILL_VERSION, "-V, --version")
    .addHelpText("after", `\n${SKILL_EXIT_CODE_HELP}\n\nRemotes are profiles in remotes.json ($CLAWBRIDGE_CONFIG_DIR or ~/.config/clawbridge).`);

  for (const name of VERB_NAMES) {
    const spec = VERBS[name];
    const command = program.command(name).description(spec.summary);
    // Commander prints "remote-gateway <verb> " before the usage: give it only the rest (none for `remotes`).
    const usage = usageLine(spec).replace(/^remote-gateway \S+ ?/, "");
    if (usage !== "") command.usage(usage);
    if (spec.remote) command.argument("<remote_id>", "remote id (see: remote-gateway remotes)");
    for (const arg of spec.args) command.argument(`<${arg.name}>`, arg.description);
    if (spec.params) command.option("--params <json>", "params as inline JSON on one line (no @file, no stdin)");
    if (spec.remote) command.option("--timeout <ms>", "overall timeout in ms (default: the remote's timeoutMs, else 10000)");
    command.addHelpText("after", `\nGateway method(s): ${methodsHelp(spec)}\n\nExample:\n  ${EXAMPLES[name] ?? usageLine(spec)}\n\n${SKILL_EXIT_CODE_HELP}`);
    command.action(async (...values: unknown[]) => {
      const self = values[values.length - 1] as Command;
      const positionals = self.processedArgs as string[];
      const options = self.opts<VerbOptions>();
      await onVerb({
        verb: name,
        remoteId: spec.remote ? positionals[0] : undefined,
        args: spec.remote ? positionals.slice(1) : positionals,
        params: options.params,
        timeout: options.timeout,
      });
    });
  }
  return program;
}

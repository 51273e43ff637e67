import { Command, Option } from "commander";
import type { OutputConfiguration } from "commander";
import type { GatewayCallFlags } from "./commands/gateway-call.js";
import type { GatewayDescribeFlags } from "./commands/gateway-describe.js";
import type { GatewayPairFlags } from "./commands/gateway-pair.js";
import type { GatewayWatchFlags } from "./commands/gateway-watch.js";
import type { MockGatewayFlags } from "./commands/mock-gateway.js";
import type { RemoteAddFlags, RemoteFlags } from "./commands/remote-commands.js";
import type { RemoteTestFlags } from "./commands/remote-test.js";
import type { SkillDoctorFlags, SkillInstallFlags } from "./commands/skill.js";
import { EXIT_CODE_HELP, ExitCodes } from "@clawbridge/cli-contract";
import type { ExitCode } from "@clawbridge/cli-contract";
import { addTargetOptions } from "./target-flags.js";
import type { TargetFlags } from "./target-flags.js";
import { CLI_VERSION } from "./version.js";

/** Collects a repeatable option into an array. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const CALL_EXAMPLES = `
Examples:
  # the seed's use, from WN1's system.run: no secret on argv, one JSON document out
  clawbridge gateway call node.list --remote gw2 --json
  clawbridge gateway call status --url wss://gw2.example:18789 --token-env GW2_TOKEN --json
  printf '%s' "$GW2_TOKEN" | clawbridge gateway call health --url wss://gw2.example:18789 --token -
  clawbridge gateway call node.describe --remote gw2 --params '{"nodeId":"abc"}'
  clawbridge gateway call agent --remote gw2 --params @turn.json --expect-final --timeout 120000

${EXIT_CODE_HELP}`;

/**
 * The command tree. Only definitions live here: every action `import()`s its module
 * when it runs, so `gateway call` loads nothing the other commands need (start-up time
 * is the product: WN1 pays it on every `system.run`).
 *
 * @param setExit - receives the exit code of the action that ran
 * @param outputConfig - where commander writes help and parse errors
 */
export function buildProgram(setExit: (code: ExitCode) => void, outputConfig: OutputConfiguration = {}): Command {
  const program = new Command("clawbridge");
  // Set before any subcommand is created: commander copies these settings to children.
  program.exitOverride();
  program.configureOutput(outputConfig);
  program.showSuggestionAfterError(true);
  program
    .description("Control an OpenClaw Gateway in another cluster: fast, and without secrets on argv.")
    .version(CLI_VERSION, "-V, --version")
    .addHelpText("after", `\n${EXIT_CODE_HELP}\n\nSee: clawbridge gateway call --help`);

  const gateway = program.command("gateway").description("talk to an OpenClaw Gateway");

  addTargetOptions(
    gateway
      .command("call")
      .description("Call a Gateway method (drop-in for openclaw gateway call)")
      .argument("<method>", "method name, e.g. health, status, node.list (the gateway's list: clawbridge gateway methods)"),
  )
    .option("--params <json>", "params as JSON (any JSON value), @file to read a file, or - for stdin", "{}")
    .option("--expect-final", "wait past an 'accepted' response for the final one (agent)", false)
    .option("--expect-url <url>", "fail before connecting if the resolved Gateway URL differs")
    .option("--scopes <list>", "request these operator scopes instead of the method's least privilege (comma-separated)")
    .addHelpText("after", CALL_EXAMPLES)
    .action(async (method: string, flags: GatewayCallFlags) => {
      const { gatewayCall } = await import("./commands/gateway-call.js");
      setExit(await gatewayCall(method, flags));
    });

  addTargetOptions(gateway.command("methods").description("list the methods the gateway advertises, with the scope each needs"))
    .action(async (flags: TargetFlags) => {
      const { gatewayMethods } = await import("./commands/gateway-methods.js");
      setExit(await gatewayMethods(flags));
    });

  gateway
    .command("describe")
    .description("show a method's required role and scope and its params/result JSON Schema (offline)")
    .argument("<method>", "method name")
    .option("--params <json>", "params for methods whose scope depends on them (JSON)")
    .option("--json", "print one JSON document", false)
    .action(async (method: string, flags: GatewayDescribeFlags) => {
      const { gatewayDescribe } = await import("./commands/gateway-describe.js");
      setExit(await gatewayDescribe(method, flags));
    });

  addTargetOptions(gateway.command("watch").description("print gateway events as NDJSON (with seq) until interrupted"), {
    timeout: "timeout in ms for connect + handshake (default 10000); the stream itself runs until Ctrl-C/SIGTERM or the gateway closes it",
    json: "report a failure as one compact JSON envelope line at the end of the NDJSON stream (events are NDJSON either way)",
  })
    .option("--events <names>", "only these events (comma-separated, at least one), e.g. tick,health")
    .option("--scopes <list>", "operator scopes to request (default operator.read)")
    .action(async (flags: GatewayWatchFlags) => {
      const { gatewayWatch } = await import("./commands/gateway-watch.js");
      setExit(await gatewayWatch(flags));
    });

  addTargetOptions(
    gateway
      .command("pair")
      .description("create or show this device's identity, request pairing, wait for approval, store the device token"),
    "10000 per attempt",
  )
    .option("--scopes <list>", "operator scopes to pair for (default: the remote's scope ceiling, else operator.read)")
    .option("--wait <ms>", "give up waiting for approval after this long (default 600000)")
    .option("--poll-interval <ms>", "longest pause between approval checks (default 5000)")
    .action(async (flags: GatewayPairFlags) => {
      const { gatewayPair } = await import("./commands/gateway-pair.js");
      setExit(await gatewayPair(flags));
    });

  const remote = program.command("remote").description("manage named remote gateways (remotes.json; secrets are never stored in it)");
  remote
    .command("add")
    .description("add a remote profile")
    .argument("<id>", "remote id (letters, digits, . _ -)")
    .requiredOption("--url <url>", "Gateway WebSocket URL (ws:// or wss://)")
    .option("--token-env <VAR>", "token from this environment variable")
    .option("--token-file <path>", "token from this file (mode 0600; stored as an absolute path: relative to the current directory, ~/ expanded)")
    .option("--token-command <command>", "token from this command's stdout, run without a shell (e.g. 'op read op://vault/gw2/token')")
    .option("--password-env <VAR>", "password from this environment variable")
    .option("--password-file <path>", "password from this file (mode 0600; stored as an absolute path, like --token-file)")
    .option("--password-command <command>", "password from this command's stdout")
    .option("--tls-fingerprint <sha256>", "pin the gateway certificate's SHA-256 (wss:// only)")
    .option("--ca-file <path>", "PEM file of a custom CA for wss:// (stored as an absolute path, like --token-file)")
    .option(
      "--header <name=source>",
      "header on the upgrade request, for an edge in front of the gateway (repeatable); its value from env:VAR, file:PATH or command:CMD, e.g. CF-Access-Client-Secret=file:cf.secret",
      collect,
      [],
    )
    .option("--scopes <list>", "scope ceiling: the most this remote may ever be asked for (comma-separated)")
    .option("--description <text>", "free text shown by list/show")
    .addOption(new Option("--device <mode>", "device identity use").choices(["auto", "always", "never"]))
    .option("--timeout <ms>", "default call timeout for this remote (ms, at most 3600000)")
    .option("--allow-insecure-plaintext", "allow ws:// to a public host (not recommended; refused without it)")
    .option("--replace", "replace an existing profile of this id")
    .option("--json", "print one JSON document", false)
    // Caught to explain, instead of commander's bare "unknown option": profiles hold sources, never secrets.
    .addOption(new Option("--token <token>").hideHelp())
    .addOption(new Option("--password <password>").hideHelp())
    .action(async (id: string, flags: RemoteAddFlags) => {
      const { remoteAdd } = await import("./commands/remote-commands.js");
      setExit(await remoteAdd(id, flags));
    });
  remote
    .command("list")
    .description("list remote profiles (secret sources only, never secrets)")
    .option("--json", "print one JSON document", false)
    .action(async (flags: RemoteFlags) => {
      const { remoteList } = await import("./commands/remote-commands.js");
      setExit(await remoteList(flags));
    });
  remote
    .command("show")
    .description("show one remote profile (secret sources only, never secrets)")
    .argument("<id>", "remote id")
    .option("--json", "print one JSON document", false)
    .action(async (id: string, flags: RemoteFlags) => {
      const { remoteShow } = await import("./commands/remote-commands.js");
      setExit(await remoteShow(id, flags));
    });
  remote
    .command("remove")
    .description("remove a remote profile (its stored device identity stays)")
    .argument("<id>", "remote id")
    .option("--json", "print one JSON document", false)
    .action(async (id: string, flags: RemoteFlags) => {
      const { remoteRemove } = await import("./commands/remote-commands.js");
      setExit(await remoteRemove(id, flags));
    });
  remote
    .command("test")
    .description("connect to a remote and print role, scopes, server version and round-trip time")
    .argument("<id>", "remote id")
    .option("--timeout <ms>", "overall timeout in ms (default: the remote's, else 10000)")
    .option("--json", "print one JSON document", false)
    .action(async (id: string, flags: RemoteTestFlags) => {
      const { remoteTest } = await import("./commands/remote-test.js");
      setExit(await remoteTest(id, flags));
    });

  program
    .command("mock-gateway")
    .description("run an in-process mock OpenClaw Gateway (tests, demos); prints its URL on stdout")
    .option("--port <port>", "port to listen on (0 = any free port)", "0")
    .option("--host <host>", "address to bind (0.0.0.0 or :: = all interfaces; the printed URL then uses loopback)", "127.0.0.1")
    .option("--token-env <VAR>", "shared token from this environment variable")
    .option("--token-file <path>", "shared token from this file")
    .option("--password-env <VAR>", "shared password from this environment variable")
    .option("--password-file <path>", "shared password from this file")
    .option("--token <token>", "shared token (literal; warns)")
    .option("--node <name>", "attach a mock worker node with this display name (repeatable)", collect, [])
    .option("--node-allow <pattern>", "exec allowlist pattern for the nodes' system.run (repeatable)", collect, [])
    .option("--tick-interval <ms>", "tick event interval in ms (default 30000)")
    .action(async (flags: MockGatewayFlags) => {
      const { mockGatewayCommand } = await import("./commands/mock-gateway.js");
      setExit(await mockGatewayCommand(flags));
    });

  const skill = program.command("skill").description("install and check the remote-gateway OpenClaw skill (@clawbridge/skill)");
  skill
    .command("install")
    .description("copy the skill into a skills dir and print WN1's exec-approvals allowlist entry and the skill's env names")
    .option("--dir <skills dir>", "skills directory to install into (default: ./skills, i.e. <workspace>/skills)")
    .option("--global", "install into OpenClaw's managed skills ($OPENCLAW_STATE_DIR/skills, else ~/.openclaw/skills)")
    .option("--remote <id...>", "remote ids the agent may use (default: every remote profile)")
    .option("--bin <path>", "the remote-gateway executable to allowlist (default: the one on PATH)")
    .option("--json", "print one JSON document", false)
    .action(async (flags: SkillInstallFlags) => {
      const { skillInstall } = await import("./commands/skill.js");
      setExit(await skillInstall(flags));
    });
  skill
    .command("doctor")
    .description("check remote-gateway on PATH, the installed skill, and that each remote's secret resolves and it connects")
    .option("--remote <id...>", "remote ids to check (default: every remote profile)")
    .option("--bin <path>", "the remote-gateway executable (default: the one on PATH)")
    .option("--timeout <ms>", "per-remote timeout in ms (default: the remote's, else 10000)")
    .option("--json", "print one JSON document", false)
    .action(async (flags: SkillDoctorFlags) => {
      const { skillDoctor } = await import("./commands/skill.js");
      setExit(await skillDoctor(flags));
    });

  return program;
}

/** Exit code of commander's own outcomes: help and version are success, parse errors are usage errors. */
export function commanderExitCode(exitCode: number): ExitCode {
  return exitCode === 0 ? ExitCodes.OK : ExitCodes.USAGE;
}

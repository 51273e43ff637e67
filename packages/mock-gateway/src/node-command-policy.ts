/**
 * Node command allowlist of the gateway (gateway-protocol §5.5,
 * `resolveNodeCommandAllowlist`), simplified to what the mock needs: platform
 * defaults, plus desktop-host commands the node declared *and* pairing approved, plus
 * `allow`, minus `deny` and the dangerous defaults.
 */

/** Commands that exist only on desktop hosts and need an explicit node-pairing approval. */
export const DESKTOP_HOST_COMMANDS: ReadonlySet<string> = new Set([
  "system.run",
  "system.run.prepare",
  "system.which",
  "system.execApprovals.get",
  "system.execApprovals.set",
  "fs.listDir",
  "terminal.upload",
  "browser.proxy",
  "browser.proxy.upload.v1",
  "mcp.tools.call.v1",
  "agent.cli.claude.run.v1",
  "screen.snapshot",
  "desktop.stream",
]);

/** Approving a node that declares one of these needs `operator.pairing` + `operator.admin`. */
export const ADMIN_APPROVAL_COMMANDS: ReadonlySet<string> = new Set([
  "system.run",
  "system.run.prepare",
  "system.which",
  "system.execApprovals.get",
  "system.execApprovals.set",
  "browser.proxy",
  "browser.proxy.upload.v1",
  "fs.listDir",
]);

/** Never allowed unless `allow` names them explicitly. */
export const DANGEROUS_NODE_COMMANDS: ReadonlySet<string> = new Set([
  "camera.snap",
  "camera.clip",
  "camera.ptz.control",
  "screen.record",
  "contacts.add",
  "calendar.add",
  "reminders.add",
  "sms.send",
  "sms.search",
  "health.summary",
]);

const PLATFORM_DEFAULTS: Readonly<Record<string, readonly string[]>> = {
  linux: ["system.notify", "computer.act"],
  windows: ["camera.list", "location.get", "device.info", "device.status", "system.notify", "computer.act"],
  macos: [
    "camera.list", "camera.ptz.status", "location.get", "device.info", "device.status", "contacts.search",
    "calendar.events", "reminders.list", "photos.latest", "motion.activity", "motion.pedometer", "system.notify",
    "computer.act",
  ],
  unknown: ["camera.list", "location.get", "system.notify"],
};

/** The canonical platform id used for defaults and error messages. */
export function canonicalPlatform(platform: string | undefined): string {
  const value = (platform ?? "").trim().toLowerCase();
  if (value.startsWith("linux")) return "linux";
  if (value.startsWith("mac") || value === "darwin") return "macos";
  if (value.startsWith("win")) return "windows";
  return Object.hasOwn(PLATFORM_DEFAULTS, value) ? value : "unknown";
}

/** Gateway-side command policy (`gateway.nodes.commands.allow` / `deny`). */
export interface NodeCommandConfig {
  readonly allow?: readonly string[] | undefined;
  readonly deny?: readonly string[] | undefined;
}

/**
 * The commands the gateway lets an operator invoke on a node.
 *
 * @param platform - the node's `client.platform`
 * @param approvedCommands - commands approved through node pairing
 * @param config - extra allow/deny lists
 */
export function resolveNodeCommandAllowlist(
  platform: string | undefined,
  approvedCommands: readonly string[],
  config: NodeCommandConfig = {},
): Set<string> {
  const allowlist = new Set(PLATFORM_DEFAULTS[canonicalPlatform(platform)] ?? []);
  for (const command of approvedCommands) if (DESKTOP_HOST_COMMANDS.has(command)) allowlist.add(command);
  for (const command of config.allow ?? []) allowlist.add(command);
  for (const command of DANGEROUS_NODE_COMMANDS) if (!(config.allow ?? []).includes(command)) allowlist.delete(command);
  for (const command of config.deny ?? []) allowlist.delete(command);
  return allowlist;
}

/** Why a command is refused, with OpenClaw's wording (`buildNodeCommandRejectionHint`). */
export function nodeCommandRejection(
  command: string,
  platform: string | undefined,
  declared: readonly string[],
  allowlist: ReadonlySet<string>,
  config: NodeCommandConfig = {},
): { reason: string; message: string } | undefined {
  const shown = platform ?? "unknown";
  if (!allowlist.has(command)) {
    const reason = "command not allowlisted";
    if ((config.deny ?? []).includes(command)) {
      return { reason, message: `node command not allowed: "${command}" is blocked by gateway.nodes.commands.deny` };
    }
    if (DANGEROUS_NODE_COMMANDS.has(command)) {
      return { reason, message: `node command not allowed: "${command}" requires explicit gateway.nodes.commands.allow opt-in` };
    }
    return { reason, message: `node command not allowed: "${command}" is not in the allowlist for platform "${shown}"` };
  }
  if (declared.length === 0) {
    return { reason: "node did not declare commands", message: "node command not allowed: the node did not declare any supported commands" };
  }
  if (!declared.includes(command)) {
    return {
      reason: "command not declared by node",
      message: `node command not allowed: the node (platform: ${shown}) does not support "${command}"`,
    };
  }
  return undefined;
}

/**
 * Node command allowlist of the gateway (gateway-protocol §5.5), following OpenClaw
 * 2026.9.6's `src/gateway/node-command-policy.ts`: platform defaults (desktop-host commands
 * only once pairing approved them), bundled plugin defaults, `allow`, minus `deny` and the
 * dangerous defaults; and the wider set a node pairing request may list.
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
const CAMERA = ["camera.list"];
const LOCATION = ["location.get"];
const DEVICE = ["device.info", "device.status"];
const PERSONAL = ["contacts.search", "calendar.events", "reminders.list", "photos.latest", "motion.activity", "motion.pedometer"];
/** OpenClaw's `SYSTEM_COMMANDS`: what every desktop host may offer (desktop-host ones need pairing approval). */
const SYSTEM = [
  "system.run.prepare", "system.run", "system.which", "system.execApprovals.get", "system.execApprovals.set",
  "fs.listDir", "terminal.upload", "system.notify", "browser.proxy", "browser.proxy.upload.v1", "mcp.tools.call.v1",
  "agent.cli.claude.run.v1",
];
const DESKTOP_SCREEN = ["screen.snapshot", "desktop.stream"];

/** OpenClaw 2026.9.6's `PLATFORM_DEFAULTS` (before desktop-host commands are filtered out). */
const PLATFORM_DEFAULTS: Readonly<Record<string, readonly string[]>> = {
  linux: [...SYSTEM, ...DESKTOP_SCREEN, "computer.act"],
  windows: [...CAMERA, ...LOCATION, ...DEVICE, ...SYSTEM, ...DESKTOP_SCREEN, "computer.act"],
  macos: [...CAMERA, "camera.ptz.status", ...LOCATION, ...DEVICE, "device.apps", ...PERSONAL, ...SYSTEM, ...DESKTOP_SCREEN, "computer.act"],
  ios: [...CAMERA, ...LOCATION, ...DEVICE, ...PERSONAL, "system.notify"],
  watchos: [...DEVICE, "system.notify"],
  android: [
    ...CAMERA, ...LOCATION, "notifications.list", "notifications.actions", "system.notify", ...DEVICE, "device.permissions",
    "device.health", "device.apps", "contacts.search", "calendar.events", "callLog.search", "reminders.list", "photos.latest",
    "motion.activity", "motion.pedometer", "mobile.ui.observe", "mobile.ui.act",
  ],
  unknown: [...CAMERA, ...LOCATION, "system.notify"],
};

const DESKTOP_PLATFORMS: ReadonlySet<string> = new Set(["linux", "macos", "windows"]);

/**
 * Node commands OpenClaw's bundled plugins allow by default on desktop hosts (the Ollama
 * plugin's `ollama.models` / `ollama.chat`, seen in `node.list` of a real node host).
 */
export const BUNDLED_PLUGIN_NODE_COMMANDS: readonly string[] = ["ollama.models", "ollama.chat"];

/** Device families a canonical platform id must come with (OpenClaw's `platformMatchesDeviceFamily`). */
const FAMILY_OF: Readonly<Record<string, (family: string) => boolean>> = {
  linux: (family) => family === "linux",
  macos: (family) => family === "mac",
  windows: (family) => family === "windows",
  ios: (family) => family === "" || /^(?:iphone|ipad|ios)$/.test(family),
  watchos: (family) => family === "apple watch" || family === "watchos",
  android: (family) => family === "" || family === "android",
};

/** A device family that {@link canonicalPlatform} accepts with `platform` (for fake nodes), if any. */
export function deviceFamilyFor(platform: string): string | undefined {
  const value = platform.trim().toLowerCase();
  return ({ linux: "Linux", macos: "Mac", windows: "Windows", ios: "iPhone", watchos: "watchOS", android: "Android" } as Record<string, string | undefined>)[value];
}

/**
 * The canonical platform id used for defaults (OpenClaw's `normalizePlatformId`): an exact
 * id must come with its device family (`linux` + `Linux`); without a device family only the
 * platform is looked at, so callers that do not know it keep the platform's defaults.
 */
export function canonicalPlatform(platform: string | undefined, deviceFamily?: string): string {
  const value = (platform ?? "").trim().toLowerCase();
  const family = deviceFamily?.trim().toLowerCase();
  const matches = Object.hasOwn(FAMILY_OF, value) ? FAMILY_OF[value] : undefined;
  if (matches !== undefined) return family === undefined || matches(family) ? value : "unknown";
  if (value.startsWith("linux")) return "linux";
  if (value.startsWith("mac") || value === "darwin") return "macos";
  if (value.startsWith("win")) return "windows";
  return "unknown";
}

/** Gateway-side command policy (`gateway.nodes.commands.allow` / `deny`). */
export interface NodeCommandConfig {
  readonly allow?: readonly string[] | undefined;
  readonly deny?: readonly string[] | undefined;
}

/**
 * The commands the gateway lets an operator invoke on a node (OpenClaw's
 * `resolveNodeCommandAllowlist`): platform defaults without desktop-host commands, bundled
 * plugin defaults, the desktop-host commands pairing approved, plus `allow`, minus `deny`
 * and the dangerous defaults.
 *
 * @param platform - the node's `client.platform`
 * @param approvedCommands - commands approved through node pairing
 * @param config - extra allow/deny lists
 * @param deviceFamily - the node's `client.deviceFamily` (see {@link canonicalPlatform})
 */
export function resolveNodeCommandAllowlist(
  platform: string | undefined,
  approvedCommands: readonly string[],
  config: NodeCommandConfig = {},
  deviceFamily?: string,
): Set<string> {
  return buildAllowlist(canonicalPlatform(platform, deviceFamily), approvedCommands, config, false);
}

/**
 * What node pairing may approve (OpenClaw's `resolveNodePairingCommandAllowlist`): the
 * platform defaults including desktop-host commands, bundled plugin defaults and `allow`,
 * minus `deny`. A pairing request lists only the declared commands in this set (observed:
 * a real node host declares 21 commands, its request lists 13).
 */
export function resolveNodePairingCommandAllowlist(
  platform: string | undefined,
  config: NodeCommandConfig = {},
  deviceFamily?: string,
): Set<string> {
  return buildAllowlist(canonicalPlatform(platform, deviceFamily), [], config, true);
}

function buildAllowlist(platformId: string, approvedCommands: readonly string[], config: NodeCommandConfig, forPairing: boolean): Set<string> {
  const desktop = DESKTOP_PLATFORMS.has(platformId);
  const base = (PLATFORM_DEFAULTS[platformId] ?? PLATFORM_DEFAULTS["unknown"] ?? []).filter(
    (command) => forPairing || !desktop || !DESKTOP_HOST_COMMANDS.has(command),
  );
  const allowlist = new Set(base);
  if (desktop) for (const command of BUNDLED_PLUGIN_NODE_COMMANDS) allowlist.add(command);
  if (desktop) for (const command of approvedCommands) if (DESKTOP_HOST_COMMANDS.has(command)) allowlist.add(command);
  if (!forPairing) for (const command of DANGEROUS_NODE_COMMANDS) allowlist.delete(command);
  for (const command of config.allow ?? []) allowlist.add(command);
  // Pairing may still list a dangerous command that deny names (OpenClaw's deny-exempt declarables).
  for (const command of config.deny ?? []) if (!(forPairing && DANGEROUS_NODE_COMMANDS.has(command))) allowlist.delete(command);
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

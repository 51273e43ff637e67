/** Allowed `connect.params.client.id` values (`GATEWAY_CLIENT_IDS`). */
export const GATEWAY_CLIENT_IDS = [
  "webchat-ui",
  "openclaw-control-ui",
  "openclaw-browser-copilot",
  "openclaw-tui",
  "webchat",
  "cli",
  "gateway-client",
  "openclaw-macos",
  "openclaw-linux",
  "openclaw-ios",
  "openclaw-watchos",
  "openclaw-android",
  "node-host",
  "openclaw-worker",
  "test",
  "fingerprint",
  "openclaw-probe",
] as const;
export type GatewayClientId = (typeof GATEWAY_CLIENT_IDS)[number];

/** Allowed `connect.params.client.mode` values (`GATEWAY_CLIENT_MODES`). */
export const GATEWAY_CLIENT_MODES = ["webchat", "cli", "ui", "backend", "node", "worker", "probe", "test"] as const;
export type GatewayClientMode = (typeof GATEWAY_CLIENT_MODES)[number];

/** Client capabilities (`connect.params.caps`); they never grant authority. */
export const GATEWAY_CLIENT_CAPS = [
  "agent-kind",
  "approvals",
  "exec-approvals",
  "inline-widgets",
  "model-catalog-snapshot",
  "model-selection-policy",
  "run-tool-bindings",
  "session-scoped-events",
  "skill-curator-live-inventory",
  "plugin-approvals",
  "task-suggestions",
  "terminal-offset-seq",
  "terminal-session-metadata",
  "terminal-upload-path-style",
  "tool-events",
  "ui-commands",
  "usage-refreshing",
] as const;

/** The two roles a control socket may claim. */
export const Roles = { OPERATOR: "operator", NODE: "node" } as const;
export type Role = (typeof Roles)[keyof typeof Roles];

/** `client.platform` / `client.deviceFamily` as OpenClaw derives them from `process.platform`. */
export function platformIdentity(nodePlatform: string): { platform: string; deviceFamily: string } {
  switch (nodePlatform) {
    case "darwin":
      return { platform: "macos", deviceFamily: "Mac" };
    case "win32":
      return { platform: "windows", deviceFamily: "Windows" };
    case "linux":
      return { platform: "linux", deviceFamily: "Linux" };
    default:
      return { platform: nodePlatform, deviceFamily: nodePlatform };
  }
}

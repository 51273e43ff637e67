/**
 * The 64 event names a default OpenClaw 2026.9.6 gateway advertises in
 * `hello-ok.features.events` (gateway-protocol §9.2, observed).
 */
export const ADVERTISED_EVENTS: readonly string[] = [
  "connect.challenge", "agent", "chat", "chat.metadata.changed", "models.snapshot", "ui.command",
  "session.approval", "session.message", "session.observer", "session.operation", "session.sharing",
  "session.sharing.evidence", "session.suggestion", "session.typing", "session.tool", "sessions.changed",
  "controlUi.sessionPullRequests.changed", "plugins.controlUi.changed", "presence", "tick", "talk.mode",
  "talk.event", "talk.voice.change", "shutdown", "gateway.suspension", "health", "heartbeat", "cron", "task",
  "task.suggestion", "node.pair.requested", "node.pair.resolved", "node.presence", "node.hostStats",
  "node.runnerInventory.changed", "node.invoke.cancel", "node.invoke.input", "node.invoke.request",
  "device.pair.changed", "device.pair.requested", "device.pair.resolved", "device.pair.setup.completed",
  "device.pair.setup.deliveryUncertain", "users.prefs.changed", "skills.changed", "plugins.changed",
  "plugins.install.progress", "voicewake.changed", "voicewake.routing.changed", "exec.approval.requested",
  "exec.approval.resolved", "question.requested", "question.resolved", "plugin.approval.requested",
  "plugin.approval.resolved", "openclaw.approval.requested", "openclaw.approval.resolved", "terminal.data",
  "terminal.exit", "update.available", "update.run.changed", "portal.changed", "progressCard.changed",
  "mentions.changed",
];

/** Capabilities advertised in `connect.challenge` by 2026.9.6. */
export const CHALLENGE_CAPABILITIES: readonly string[] = ["model-catalog-snapshot"];

import { OperatorScopes, scopeSatisfied } from "@clawbridge/protocol";

const READ = [OperatorScopes.READ];
const APPROVALS = [OperatorScopes.APPROVALS];
const PAIRING = [OperatorScopes.PAIRING];
const ADMIN = [OperatorScopes.ADMIN];
const TALK = [OperatorScopes.TALK];
const QUESTIONS = [OperatorScopes.QUESTIONS];

/**
 * Which operator scopes may receive a broadcast event (any one of them suffices);
 * `[]` = every authenticated socket, nodes included (gateway-protocol §9.2,
 * `server-broadcast-scopes.ts` of OpenClaw 2026.9.6).
 */
export const EVENT_SCOPE_GUARDS: Readonly<Record<string, readonly string[]>> = {
  tick: [],
  health: [],
  heartbeat: [],
  shutdown: [],
  "gateway.suspension": [],
  "update.available": [],
  agent: READ,
  chat: READ,
  "chat.metadata.changed": [OperatorScopes.READ, OperatorScopes.SESSIONS_READ],
  "chat.send_timing": READ,
  "chat.side_result": READ,
  "board.changed": READ,
  "board.command": READ,
  "progressCard.changed": READ,
  "ui.command": READ,
  cron: READ,
  presence: READ,
  "talk.event": READ,
  task: READ,
  "task.suggestion": READ,
  "config.changed": READ,
  "users.prefs.changed": READ,
  "mentions.changed": READ,
  "skills.changed": READ,
  "plugins.changed": READ,
  "voicewake.changed": READ,
  "voicewake.routing.changed": READ,
  "node.presence": READ,
  "node.hostStats": READ,
  "node.runnerInventory.changed": READ,
  "sessions.catalog.host": READ,
  "sessions.changed": READ,
  "controlUi.sessionPullRequests.changed": READ,
  "plugins.controlUi.changed": READ,
  "session.message": READ,
  "session.observer": READ,
  "session.operation": READ,
  "session.sharing": READ,
  "session.sharing.evidence": READ,
  "session.suggestion": READ,
  "session.typing": READ,
  "session.tool": READ,
  "portal.changed": READ,
  "exec.approval.requested": APPROVALS,
  "exec.approval.resolved": APPROVALS,
  "plugin.approval.requested": APPROVALS,
  "plugin.approval.resolved": APPROVALS,
  "openclaw.approval.requested": APPROVALS,
  "openclaw.approval.resolved": APPROVALS,
  "session.approval": APPROVALS,
  "question.requested": QUESTIONS,
  "question.resolved": QUESTIONS,
  "talk.mode": TALK,
  "talk.voice.change": TALK,
  "device.pair.changed": PAIRING,
  "device.pair.requested": PAIRING,
  "device.pair.resolved": PAIRING,
  "device.pair.setup.completed": PAIRING,
  "device.pair.setup.deliveryUncertain": PAIRING,
  "node.pair.requested": PAIRING,
  "node.pair.resolved": PAIRING,
  "terminal.data": ADMIN,
  "terminal.exit": ADMIN,
  "plugins.install.progress": ADMIN,
  "update.run.changed": ADMIN,
};

/**
 * Whether a socket with `role` and `scopes` may receive broadcast `event`: unguarded
 * events reach everyone; guarded ones only operators holding one of the scopes
 * (with implication, admin satisfies all); unlisted `plugin.*` events need
 * `operator.write`; any other unlisted event is delivered to nobody (fail closed).
 */
export function canReceiveEvent(role: string, scopes: readonly string[], event: string): boolean {
  const required = Object.hasOwn(EVENT_SCOPE_GUARDS, event) ? EVENT_SCOPE_GUARDS[event] : undefined;
  if (required === undefined) {
    return event.startsWith("plugin.") && role === "operator" && scopeSatisfied(scopes, OperatorScopes.WRITE);
  }
  if (required.length === 0) return true;
  return role === "operator" && required.some((scope) => scopeSatisfied(scopes, scope));
}

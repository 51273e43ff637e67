import { CliError, ExitCodes } from "@clawbridge/cli-contract";
import type { EffectiveSkillPolicy } from "@clawbridge/client";
import { agentDenyPatternOf, APPROVAL_DECISION_METHODS } from "@clawbridge/protocol";
import { echoInput } from "./echo-input.js";

/**
 * Methods that inject a message into a session: OpenClaw's own CLI refuses the first
 * four (and `sessions.create` with a message) under an agent's exec
 * (`OPENCLAW_SHELL=exec`) because the message would lose its attribution; `chat.inject`,
 * `wake` and `system-event` put text into a session or the agent's queue the same way.
 * This bin only ever runs for an agent, so it refuses them always.
 */
export const SESSION_MESSAGE_METHODS: readonly string[] = [
  "chat.send",
  "chat.inject",
  "sessions.send",
  "sessions.steer",
  "agent",
  "wake",
  "system-event",
];

/**
 * Methods that send a message out to a channel (chat apps, email, …) as the gateway's
 * operator: nobody on the other end could tell an agent on another cluster wrote it.
 */
export const OUTBOUND_MESSAGE_METHODS: readonly string[] = ["send", "poll", "message.action", "conversations.send", "conversations.turn"];

const MESSAGE_METHODS: ReadonlySet<string> = new Set([...SESSION_MESSAGE_METHODS, ...OUTBOUND_MESSAGE_METHODS]);

function denied(code: string, message: string, details: Record<string, unknown>): CliError {
  return new CliError(ExitCodes.RELAY_DENIED, "skill_policy_denied", code, message, { details });
}

/**
 * Refuses (exit 6, before anything is resolved or connected) a node command that the
 * remote's profile does not list in `skill.allowInvoke`.
 */
export function assertInvokeAllowed(remoteId: string, policy: EffectiveSkillPolicy, command: string): void {
  if (policy.allowInvoke.includes(command)) return;
  throw denied(
    "INVOKE_NOT_ALLOWED",
    `node command ${JSON.stringify(echoInput(command))} is not allowed on remote ${remoteId}; the operator can add it to the profile's skill.allowInvoke`,
    { remote: remoteId, command: echoInput(command), allowed: [...policy.allowInvoke] },
  );
}

function createsMessage(method: string, params: unknown): boolean {
  if (method !== "sessions.create" || params === null || typeof params !== "object") return false;
  const input = params as Record<string, unknown>;
  return (
    [input["message"], input["task"]].some((value) => typeof value === "string" && value.trim() !== "") ||
    (Array.isArray(input["attachments"]) && input["attachments"].length > 0)
  );
}

/**
 * Refuses (exit 6) a raw `call` unless the profile sets `skill.allowCall`; even then
 * refuses administrative and approval methods (`AGENT_DENY_PATTERNS` of
 * `@clawbridge/protocol`: the relay's default-deny families, approval decisions,
 * `secrets.*`), message-injecting methods, and `node.invoke` of a command outside
 * `skill.allowInvoke` (so `call` is no side door around `invoke`'s allowlist).
 */
export function assertCallAllowed(remoteId: string, policy: EffectiveSkillPolicy, method: string, params: unknown): void {
  if (!policy.allowCall) {
    throw denied(
      "CALL_NOT_ALLOWED",
      `raw call is disabled for remote ${remoteId}; use the task verbs, or the operator can set skill.allowCall in its profile`,
      { remote: remoteId, method: echoInput(method) },
    );
  }
  const adminPattern = agentDenyPatternOf(method);
  if (adminPattern !== undefined) {
    const reason = APPROVAL_DECISION_METHODS.includes(adminPattern) || /\.(approve|reject)$/.test(method)
      ? "it decides an approval or pairing, which is the remote operator's decision"
      : "it changes or reveals the gateway's configuration, approvals policy, devices, pairings or secrets";
    throw denied(
      "ADMIN_METHOD_REFUSED",
      `${echoInput(method)} is never sent by remote-gateway, whatever the profile allows (${adminPattern}): ${reason}; ask the remote's operator`,
      { remote: remoteId, method: echoInput(method), pattern: adminPattern, reason },
    );
  }
  if (MESSAGE_METHODS.has(method) || createsMessage(method, params)) {
    throw denied(
      "MESSAGE_METHOD_REFUSED",
      OUTBOUND_MESSAGE_METHODS.includes(method)
        ? `${method} would send a message to a channel as the remote's operator, without attribution; remote-gateway never sends messages`
        : `${method} would inject a message without attribution; an agent must use its own session-messaging tool`,
      { remote: remoteId, method },
    );
  }
  if (method === "node.invoke") {
    const command = params !== null && typeof params === "object" ? (params as Record<string, unknown>)["command"] : undefined;
    assertInvokeAllowed(remoteId, policy, typeof command === "string" ? command : "");
  }
}

import { randomUUID } from "node:crypto";

/** `node.invoke` params for `system.run` on a node, as the seed's agent on GW1 sends them. */
export interface SystemRunInvokeParams {
  readonly nodeId: string;
  readonly command: "system.run";
  readonly params: {
    /** argv; argv[0] is the program (no shell). */
    readonly command: readonly string[];
    /** The command's own timeout (ms). */
    readonly timeoutMs: number;
    /** Required by a real node in allowlist mode (the approval state is per agent). */
    readonly agentId: "main";
    /** Without it every run with output starts an agent turn on GW1. */
    readonly suppressNotifyOnExit: true;
  };
  /** `node.invoke`'s own timeout (ms): the command's plus 15 s for dispatch and the result. */
  readonly timeoutMs: number;
  readonly idempotencyKey: string;
}

/**
 * The exact `node.invoke` params a real OpenClaw 2026.9.6 gateway needs for `system.run`
 * (skills-approvals-relay §7): `agentId: "main"`, `suppressNotifyOnExit: true`, the
 * command's timeout inside, a longer one outside, a fresh idempotency key.
 *
 * @param timeoutMs - the command's timeout (ms). Default 60 000.
 */
export function systemRunInvokeParams(nodeId: string, argv: readonly string[], timeoutMs = 60_000): SystemRunInvokeParams {
  return {
    nodeId,
    command: "system.run",
    params: { command: [...argv], timeoutMs, agentId: "main", suppressNotifyOnExit: true },
    timeoutMs: timeoutMs + 15_000,
    idempotencyKey: randomUUID(),
  };
}

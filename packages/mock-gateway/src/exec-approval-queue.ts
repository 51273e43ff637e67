import { randomUUID } from "node:crypto";

/** A pending exec approval as `exec.approval.list` reports it. */
export interface PendingExecApproval {
  readonly id: string;
  /** The `exec.approval.request` params (`command`, `commandArgv`, `host`, `nodeId`, `agentId`, …). */
  readonly request: Record<string, unknown>;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

/** OpenClaw's default exec-approval timeout (ms). */
export const DEFAULT_EXEC_APPROVAL_TIMEOUT_MS = 1_800_000;

/**
 * Pending exec approvals, for `exec.approval.list` (scope `operator.approvals`): the
 * answer OpenClaw 2026.9.x gives, `[{id, request, createdAtMs, expiresAtMs}]`, pending
 * and unexpired only. Tests add requests with {@link add}; nothing resolves them (the
 * mock serves the listing only).
 */
export class ExecApprovalQueue {
  readonly #pending = new Map<string, PendingExecApproval>();

  /** Adds a pending approval for `request`; returns it. */
  add(request: Record<string, unknown>, options: { id?: string; timeoutMs?: number } = {}): PendingExecApproval {
    const createdAtMs = Date.now();
    const record = {
      id: options.id ?? randomUUID(),
      request: { ...request },
      createdAtMs,
      expiresAtMs: createdAtMs + (options.timeoutMs ?? DEFAULT_EXEC_APPROVAL_TIMEOUT_MS),
    };
    this.#pending.set(record.id, record);
    return record;
  }

  /** Pending, unexpired approvals, oldest first. */
  listPending(now = Date.now()): PendingExecApproval[] {
    return [...this.#pending.values()].filter((record) => record.expiresAtMs > now).sort((a, b) => a.createdAtMs - b.createdAtMs);
  }
}

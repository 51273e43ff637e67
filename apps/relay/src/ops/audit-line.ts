/** One request's audit fields, in the order they appear on the line. Undefined fields are left out. */
export interface RequestAuditFields {
  readonly client: string;
  readonly upstream: string;
  readonly conn: string;
  readonly method: string;
  readonly decision: "allow" | "deny";
  readonly outcome: string;
  readonly rule?: string | undefined;
  readonly code?: string | undefined;
  readonly latencyMs: number;
  readonly paramsSha256: string;
  readonly paramsBytes: number;
}

const str = (value: string): string => JSON.stringify(value);

/**
 * The audit line of one request, byte for byte what the audit logger (pino: `level`
 * label, ISO `time`, no base fields, `msg` last) writes for
 * `audit.info({event: "request", ...fields}, "request")`, built without the logger:
 * pino's generic serialization and redaction pass cost ~10 µs per line, most of the
 * relay's per-request bookkeeping. Every string goes through `JSON.stringify` (escaped
 * exactly as pino escapes it); no field can carry a secret (ids, names, a digest).
 */
export function requestAuditLine(fields: RequestAuditFields, nowMs: number = Date.now()): string {
  let line = `{"level":"info","time":"${new Date(nowMs).toISOString()}","event":"request","client":${str(fields.client)},"upstream":${str(fields.upstream)},"conn":${str(fields.conn)},"method":${str(fields.method)},"decision":"${fields.decision}","outcome":${str(fields.outcome)}`;
  if (fields.rule !== undefined) line += `,"rule":${str(fields.rule)}`;
  if (fields.code !== undefined) line += `,"code":${str(fields.code)}`;
  line += `,"latencyMs":${JSON.stringify(fields.latencyMs)},"paramsSha256":${str(fields.paramsSha256)},"paramsBytes":${JSON.stringify(fields.paramsBytes)},"msg":"request"}\n`;
  return line;
}

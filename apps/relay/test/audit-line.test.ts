import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requestAuditLine } from "../src/ops/audit-line.js";
import type { RequestAuditFields } from "../src/ops/audit-line.js";
import { createLoggers } from "../src/ops/loggers.js";
import { CaptureStream } from "./helpers/harness.js";

/** What the audit logger itself writes for these fields, and the time it stamped. */
function viaLogger(fields: RequestAuditFields): { line: string; timeMs: number } {
  const capture = new CaptureStream();
  const loggers = createLoggers({ level: "info", logStream: capture, audit: capture });
  loggers.audit.info({ event: "request", ...fields }, "request");
  const line = capture.raw[0] ?? "";
  return { line, timeMs: Date.parse(String((JSON.parse(line) as { time: string }).time)) };
}

const BASE: RequestAuditFields = {
  client: "wn1",
  upstream: "gw2",
  conn: "0b7c6f7e-1a2b-4c3d-9e8f-123456789abc",
  method: "node.list",
  decision: "allow",
  outcome: "ok",
  latencyMs: 0.214,
  paramsSha256: "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  paramsBytes: 2,
};

describe("requestAuditLine", () => {
  it("writes exactly the line the audit logger writes, with and without rule and code", () => {
    // Key order as the forwarder logs them: rule and code between outcome and latencyMs.
    const denied: RequestAuditFields = {
      client: BASE.client,
      upstream: BASE.upstream,
      conn: BASE.conn,
      method: "node.invoke",
      decision: "deny",
      outcome: "denied",
      rule: "command",
      code: "FORBIDDEN",
      latencyMs: 12,
      paramsSha256: BASE.paramsSha256,
      paramsBytes: 88,
    };
    for (const fields of [BASE, denied, { ...BASE, rule: undefined, code: undefined }]) {
      const expected = viaLogger(fields);
      expect(requestAuditLine(fields, expected.timeMs)).toBe(`${expected.line}\n`);
    }
  });

  it("escapes client input (the method name) into valid JSON with the same content", () => {
    const method = 'we"ird\\name\n\u0001\u2028é\ud800…';
    const fields = { ...BASE, method };
    const expected = viaLogger(fields);
    const line = requestAuditLine(fields, expected.timeMs);
    expect(line.endsWith("}\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(JSON.parse(line)).toEqual(JSON.parse(expected.line));
  });
});

describe("audit file batching", () => {
  it("keeps logger lines and pre-serialized lines in order across turns, and flush() writes the rest", async () => {
    const dir = await mkdtemp(join(tmpdir(), "relay-audit-"));
    try {
      const file = join(dir, "audit.jsonl");
      const loggers = createLoggers({ level: "info", logStream: new CaptureStream(), audit: { file } });
      // The destination opens its file asynchronously.
      for (let i = 0; i < 100 && !existsSync(file); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      loggers.auditLine(requestAuditLine({ ...BASE, conn: "1" }));
      loggers.audit.info({ event: "disconnect", conn: "2" }, "disconnect");
      loggers.auditLine(requestAuditLine({ ...BASE, conn: "3" }));
      await new Promise((resolve) => setImmediate(resolve));
      loggers.auditLine(requestAuditLine({ ...BASE, conn: "4" }));
      loggers.flush();
      const lines = (await readFile(file, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { conn: string; event: string });
      expect(lines.map((line) => `${line.event}:${line.conn}`)).toEqual(["request:1", "disconnect:2", "request:3", "request:4"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

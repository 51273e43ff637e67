import { pino } from "pino";
import type { DestinationStream, Logger } from "pino";

/** Operational log and audit log of one relay. */
export interface RelayLoggers {
  /** Operational diagnostics (upstream state, reloads, drain), at the configured level. */
  readonly log: Logger;
  /** One JSON line per request and per client connection; always on (level info). */
  readonly audit: Logger;
  /** Appends one pre-serialized audit line (ending in a newline) to the audit destination (see `requestAuditLine`). */
  auditLine(line: string): void;
  /** Flushes buffered lines (before exit). */
  flush(): void;
}

/** Where the two logs go. */
export interface LoggerTargets {
  /** Level of the operational log. */
  readonly level: string;
  /** Destination of the operational log. Default: stderr. */
  readonly logStream?: DestinationStream | undefined;
  /** Destination of the audit log: a stream, a file path (appended), or stderr (default). */
  readonly audit?: DestinationStream | { readonly file: string } | "stderr" | undefined;
}

const BASE_OPTIONS = {
  base: null,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label: string) => ({ level: label }) },
  // Nothing the relay logs should carry a secret; these paths are a second line of defence.
  redact: { paths: ["token", "password", "auth", "params", "headers.authorization", "headers.cookie"], censor: "[redacted]" },
};

function isStream(value: unknown): value is DestinationStream {
  return typeof value === "object" && value !== null && typeof (value as { write?: unknown }).write === "function";
}

/** Bytes a relay-owned destination buffers before it writes (one write per batch, not per line). */
const BATCH_BYTES = 8_192;
/** Longest a buffered line waits when traffic is too low to fill a batch (ms). */
const BATCH_MAX_DELAY_MS = 500;

/**
 * Collects the lines written in one event-loop turn and hands them to `target` as one
 * string at the end of the turn (`setImmediate`) or once 64 KiB are pending. Pino's
 * destination (sonic-boom) measures its pending buffer on every write, ~7 µs per audit
 * line at a few thousand requests per second; one write per turn pays that once.
 * Order is kept: every line of the audit logger goes through the batcher.
 */
class TurnBatcher implements DestinationStream {
  readonly #target: DestinationStream;
  #lines: string[] = [];
  #bytes = 0;
  #scheduled = false;

  constructor(target: DestinationStream) {
    this.#target = target;
  }

  write(line: string): void {
    this.#lines.push(line);
    this.#bytes += line.length;
    if (this.#bytes >= 65_536) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Hands the pending lines to the target now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#lines.length === 0) return;
    const text = this.#lines.length === 1 ? (this.#lines[0] as string) : this.#lines.join("");
    this.#lines = [];
    this.#bytes = 0;
    this.#target.write(text);
  }
}

/**
 * Builds the loggers (pino, JSON lines). Both default to stderr, sharing one
 * asynchronous destination so their lines never interleave mid-line; stdout stays
 * empty (a service's stdout is often not a log).
 *
 * Relay-owned destinations (stderr, an audit file) write in batches of 8 KiB or every
 * 500 ms, whichever comes first: an audit line per request written on its own costs a
 * thread-pool round trip and a syscall per request, which measurably cut the relay's
 * throughput (see README, "Performance"). Audit lines are further collected per
 * event-loop turn (see {@link TurnBatcher}). `flush()` (called on close) writes the rest.
 */
export function createLoggers(targets: LoggerTargets): RelayLoggers {
  const owned: ReturnType<typeof pino.destination>[] = [];
  let stderr: DestinationStream | undefined;
  const stderrDestination = (): DestinationStream => {
    if (stderr === undefined) {
      const destination = pino.destination({ dest: 2, sync: false, minLength: BATCH_BYTES });
      owned.push(destination);
      stderr = destination;
    }
    return stderr;
  };
  const logStream = targets.logStream ?? stderrDestination();
  let auditStream: DestinationStream;
  if (isStream(targets.audit)) auditStream = targets.audit;
  else if (targets.audit !== undefined && targets.audit !== "stderr") {
    // Created 0600: audit lines are sensitive metadata (who called what, when, from where). An existing file keeps its mode.
    const destination = pino.destination({ dest: targets.audit.file, sync: true, append: true, mkdir: true, mode: 0o600, minLength: BATCH_BYTES });
    owned.push(destination);
    auditStream = destination;
  } else auditStream = stderrDestination();
  // Relay-owned audit destinations get one write per event-loop turn; a caller's stream (tests) sees each line at once.
  const batcher = isStream(targets.audit) ? undefined : new TurnBatcher(auditStream);
  if (batcher !== undefined) auditStream = batcher;
  const log = pino({ ...BASE_OPTIONS, level: targets.level, name: "clawbridge-relay" }, logStream);
  const timer =
    owned.length === 0
      ? undefined
      : setInterval(() => {
          for (const destination of owned) {
            try {
              destination.flush();
            } catch {
              // Not open yet or already closed: the next tick or flushSync handles it.
            }
          }
        }, BATCH_MAX_DELAY_MS);
  timer?.unref();
  const audit = pino({ ...BASE_OPTIONS, level: "info", name: "clawbridge-relay.audit" }, auditStream);
  return {
    log,
    audit,
    auditLine: (line) => {
      auditStream.write(line);
    },
    flush: () => {
      clearInterval(timer);
      batcher?.flush();
      for (const destination of owned) {
        try {
          destination.flushSync();
        } catch {
          // Not ready yet (nothing written) or already closed: nothing to flush.
        }
      }
    },
  };
}

/**
 * A logger for the failure of a relay that could not start: the same JSON lines as the
 * operational log (`level`, `time`, `msg`), written at once to `stream` (stderr), so a
 * log collector reads it like every other line.
 */
export function createStartupLogger(stream: NodeJS.WritableStream): Logger {
  return pino({ ...BASE_OPTIONS, level: "info", name: "clawbridge-relay" }, { write: (line: string) => void stream.write(line) });
}


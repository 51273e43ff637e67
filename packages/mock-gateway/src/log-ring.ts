/** Result of {@link LogRing.tail}, shaped like `logs.tail` (gateway-protocol §5.5). */
export interface LogTail {
  file: string;
  /** Byte offset to pass as the next `cursor`. */
  cursor: number;
  /** Bytes written to the (virtual) log file so far. */
  size: number;
  lines: string[];
  truncated?: boolean;
  reset?: boolean;
  skippedBytes?: number;
}

interface Entry {
  readonly offset: number;
  readonly text: string;
  readonly bytes: number;
}

/**
 * An in-memory log "file" of JSON lines with byte offsets, kept to the last
 * `capacity` lines, served like OpenClaw's `logs.tail`: without a cursor the newest
 * lines; with one, the lines after it (`reset` when the cursor is beyond the end,
 * `skippedBytes` when lines were rotated out).
 */
export class LogRing {
  readonly file: string;
  readonly #capacity: number;
  readonly #entries: Entry[] = [];
  #size = 0;

  /**
   * @param file - the path reported in `file`. Default `/tmp/openclaw/openclaw-<date>.log`.
   * @param capacity - lines kept. Default 5 000.
   */
  constructor(file?: string, capacity = 5_000) {
    this.file = file ?? `/tmp/openclaw/openclaw-${new Date().toISOString().slice(0, 10)}.log`;
    this.#capacity = capacity;
  }

  /** Appends one record (objects are written as JSON with `time` and `level` defaults). */
  append(record: string | Record<string, unknown>): void {
    const text =
      typeof record === "string"
        ? record
        : JSON.stringify({ time: new Date().toISOString(), level: "info", ...record });
    const bytes = Buffer.byteLength(text, "utf8") + 1;
    this.#entries.push({ offset: this.#size, text, bytes });
    this.#size += bytes;
    if (this.#entries.length > this.#capacity) this.#entries.shift();
  }

  /**
   * @param cursor - byte offset from a previous tail; omitted = newest lines
   * @param limit - most lines to return (1..5000). Default 500.
   * @param maxBytes - most bytes to return. Default 250 000.
   */
  tail(cursor: number | undefined, limit = 500, maxBytes = 250_000): LogTail {
    const result: LogTail = { file: this.file, cursor: this.#size, size: this.#size, lines: [] };
    let candidates: Entry[];
    if (cursor === undefined) {
      candidates = this.#entries.slice(-limit);
    } else if (cursor > this.#size) {
      result.reset = true;
      candidates = this.#entries.slice(-limit);
    } else {
      const first = this.#entries[0];
      if (first !== undefined && cursor < first.offset) result.skippedBytes = first.offset - cursor;
      candidates = this.#entries.filter((entry) => entry.offset >= cursor);
    }
    let bytes = 0;
    for (const entry of candidates) {
      if (result.lines.length >= limit || bytes + entry.bytes > maxBytes) {
        result.truncated = true;
        result.cursor = entry.offset;
        break;
      }
      result.lines.push(entry.text);
      bytes += entry.bytes;
    }
    return result;
  }
}

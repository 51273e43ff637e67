import { SecretRedactor } from "@clawbridge/client";
import { stylesFor } from "./colors.js";
import type { Styles } from "./colors.js";

/** Where a command writes. Injected so commands are testable and stdout/stderr stay separate. */
export interface OutputStreams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean | undefined };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean | undefined };
  readonly env: NodeJS.ProcessEnv;
}

/** The process's own streams. */
export function processStreams(): OutputStreams {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * The only way commands print. stdout carries the result (one JSON document with
 * `--json`), stderr everything else. Every string passes the secret redactor first
 * (JSON documents value by value, so they stay valid JSON): the CLI never puts secrets
 * into output, but a gateway's error text could echo one.
 */
export class Output {
  /** Secrets in play (tokens, passwords); register them as soon as they are known. */
  readonly redactor = new SecretRedactor();
  /** Styles for stdout. */
  readonly out: Styles;
  /** Styles for stderr. */
  readonly err: Styles;
  readonly json: boolean;
  readonly #streams: OutputStreams;

  constructor(json: boolean, streams: OutputStreams = processStreams()) {
    this.json = json;
    this.#streams = streams;
    this.out = json ? stylesFor({}, streams.env) : stylesFor(streams.stdout, streams.env);
    this.err = stylesFor(streams.stderr, streams.env);
  }

  /** Whether stderr is a terminal (progress lines may be rewritten in place). */
  get stderrIsTty(): boolean {
    return this.#streams.stderr.isTTY === true;
  }

  /** Writes one line to stdout. */
  line(text = ""): void {
    this.#streams.stdout.write(`${this.redactor.redact(text)}\n`);
  }

  /** Writes a JSON document to stdout, 2-space indented like OpenClaw (`null` for an absent payload). Secrets are redacted from its strings, never from its numbers or syntax. */
  document(value: unknown): void {
    this.#streams.stdout.write(`${this.redactor.stringify(value === undefined ? null : value, 2)}\n`);
  }

  /** Writes one compact JSON line to stdout (NDJSON streams), redacted like {@link document}. */
  ndjson(value: unknown): void {
    this.#streams.stdout.write(`${this.redactor.stringify(value === undefined ? null : value)}\n`);
  }

  /** Writes one line to stderr. */
  info(text: string): void {
    this.#streams.stderr.write(`${this.redactor.redact(text)}\n`);
  }

  /** Writes raw text to stderr (progress lines rewritten with `\r`). */
  progress(text: string): void {
    this.#streams.stderr.write(this.redactor.redact(text));
  }

  /** A warning line on stderr. */
  warn(text: string): void {
    this.info(this.err.warn(text));
  }
}

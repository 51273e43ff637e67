import { OutputWriteError } from "@clawbridge/cli-contract";
import { SecretRedactor } from "@clawbridge/client";

/**
 * The bin's only printer: one JSON document on stdout (the result or the error
 * envelope), nothing on stderr. Every string and key passes the redactor (value by
 * value, so the document stays valid JSON): the bin never puts a secret into output,
 * but a gateway's error text could echo one back.
 */
export class JsonOutput {
  /** Secrets in play; register each as soon as it is resolved. */
  readonly redactor = new SecretRedactor();
  readonly #stdout: NodeJS.WritableStream;

  constructor(stdout: NodeJS.WritableStream = process.stdout) {
    this.#stdout = stdout;
  }

  /**
   * Writes one 2-space indented JSON document (`null` for an absent payload), as
   * `openclaw gateway call --json` does. A file stdout fails synchronously (a full disk):
   * that throws {@link OutputWriteError}; a closed pipe is the reader's choice and ignored.
   */
  document(value: unknown): void {
    const text = `${this.redactor.stringify(value === undefined ? null : value, 2)}\n`;
    try {
      this.#stdout.write(text);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EPIPE") throw new OutputWriteError("stdout", error);
    }
  }
}

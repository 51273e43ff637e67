/**
 * Teardown steps run last-in first-out, exactly once, each isolated from the others'
 * failures: a gateway that fails to stop must not leave a relay process behind.
 */
export class CleanupStack {
  readonly #steps: Array<{ label: string; run: () => unknown }> = [];
  #running: Promise<string[]> | undefined;

  /**
   * Registers a step; returns a function that unregisters it (for resources torn down early).
   *
   * @param label - named in the list of failed steps
   */
  add(label: string, run: () => unknown): () => void {
    const step = { label, run };
    this.#steps.push(step);
    return () => {
      const index = this.#steps.indexOf(step);
      if (index >= 0) this.#steps.splice(index, 1);
    };
  }

  /** Runs every step (LIFO); resolves with the labels of steps that threw. Idempotent. */
  run(): Promise<string[]> {
    this.#running ??= (async () => {
      const failed: string[] = [];
      while (this.#steps.length > 0) {
        const step = this.#steps.pop() as { label: string; run: () => unknown };
        try {
          await step.run();
        } catch {
          failed.push(step.label);
        }
      }
      return failed;
    })();
    return this.#running;
  }
}

/**
 * Connection slots per client id, for `maxConnections`: a slot is taken when `connect`
 * is admitted (in the same synchronous step as the check, so two handshakes of one
 * client cannot both see a free last slot) and given back when its socket closes, or
 * right away when the socket dies between admission and `hello-ok`. Keyed by client id,
 * not by policy generation: a reload keeps the count and only changes the cap.
 */
export class ConnectionSlots {
  readonly #counts = new Map<string, number>();

  /** Slots held by `clientId` (open connections and admissions about to open). */
  count(clientId: string): number {
    return this.#counts.get(clientId) ?? 0;
  }

  /** Takes a slot of `clientId`; the returned function gives it back (idempotent). */
  take(clientId: string): () => void {
    this.#counts.set(clientId, this.count(clientId) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = this.count(clientId) - 1;
      if (left > 0) this.#counts.set(clientId, left);
      else this.#counts.delete(clientId);
    };
  }
}

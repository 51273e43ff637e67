import type { Socket } from "node:net";
import type { Counter } from "prom-client";

/**
 * Counts bytes on client TCP sockets into a counter with a `direction` label. Socket
 * totals are read at scrape time (and once more when a socket closes) instead of per
 * frame, which costs nothing on the request path.
 */
export class SocketBytes {
  readonly #counter: Counter<"direction">;
  readonly #seen = new Map<Socket, { read: number; written: number }>();

  constructor(counter: Counter<"direction">) {
    this.#counter = counter;
  }

  /** Starts counting a socket (call from the server's `connection` event). */
  track(socket: Socket): void {
    this.#seen.set(socket, { read: 0, written: 0 });
    socket.once("close", () => {
      this.#report(socket);
      this.#seen.delete(socket);
    });
  }

  /** Adds what every live socket moved since the last call. */
  collect(): void {
    for (const socket of this.#seen.keys()) this.#report(socket);
  }

  #report(socket: Socket): void {
    const last = this.#seen.get(socket);
    if (last === undefined) return;
    const read = socket.bytesRead;
    const written = socket.bytesWritten;
    if (read > last.read) this.#counter.inc({ direction: "in" }, read - last.read);
    if (written > last.written) this.#counter.inc({ direction: "out" }, written - last.written);
    last.read = read;
    last.written = written;
  }
}

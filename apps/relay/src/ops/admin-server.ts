import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the admin endpoints report. */
export interface AdminHandlers {
  /** `/readyz`: ready flag plus a JSON body describing why. */
  readiness(): { ready: boolean; body: Record<string, unknown> };
  /** `/metrics`: Prometheus text. */
  metrics(): Promise<{ contentType: string; body: string }>;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(body);
}

/**
 * The admin listener: `GET /healthz` (200 while the process serves), `GET /readyz`
 * (200 only when every upstream is connected and authorized and the relay is not
 * draining, else 503), `GET /metrics` (Prometheus). Unauthenticated by design, like
 * most exporters: bind it to loopback or a private interface.
 */
export class AdminServer {
  readonly #server: Server;
  readonly #handlers: AdminHandlers;

  constructor(handlers: AdminHandlers) {
    this.#handlers = handlers;
    this.#server = createServer((req, res) => {
      void this.#handle(req, res).catch(() => {
        if (!res.headersSent) send(res, 500, "application/json", '{"error":"internal error"}\n');
        else res.destroy();
      });
    });
  }

  /** Listens; resolves with the bound port. */
  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    return (this.#server.address() as AddressInfo).port;
  }

  /** Stops listening and drops open admin connections. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, "application/json", '{"error":"method not allowed"}\n');
      return;
    }
    switch (path) {
      case "/healthz":
        send(res, 200, "application/json", '{"status":"ok"}\n');
        return;
      case "/readyz": {
        const { ready, body } = this.#handlers.readiness();
        send(res, ready ? 200 : 503, "application/json", `${JSON.stringify({ ready, ...body })}\n`);
        return;
      }
      case "/metrics": {
        const { contentType, body } = await this.#handlers.metrics();
        send(res, 200, contentType, body);
        return;
      }
      default:
        send(res, 404, "application/json", '{"error":"not found"}\n');
    }
  }
}

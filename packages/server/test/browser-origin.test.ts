import { afterEach, describe, expect, it } from "vitest";
import { checkBrowserOrigin } from "../src/index.js";
import { connectParams, handshake, startGateway } from "./helpers.js";
import type { TestGateway } from "./helpers.js";

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.server.close({ graceMs: 200 });
  gateway = undefined;
});

const TOKEN = { auth: { token: "secret-token" } };
const REFUSED = "origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)";

describe("checkBrowserOrigin", () => {
  const local = { requestHost: "127.0.0.1:18789", isLocalClient: true };
  it("accepts allowlisted, same-host and (for local clients) loopback origins", () => {
    expect(checkBrowserOrigin({ ...local, origin: "http://127.0.0.1" })).toEqual({ ok: true, matchedBy: "local-loopback" });
    expect(checkBrowserOrigin({ ...local, origin: "http://localhost:5173" })).toEqual({ ok: true, matchedBy: "local-loopback" });
    expect(checkBrowserOrigin({ ...local, origin: "http://127.0.0.1:18789" })).toEqual({ ok: true, matchedBy: "private-same-origin" });
    expect(checkBrowserOrigin({ requestHost: "10.0.0.2:18789", isLocalClient: false, origin: "http://10.0.0.2:18789" })).toMatchObject({ ok: true });
    expect(checkBrowserOrigin({ ...local, origin: "https://ui.example", allowedOrigins: ["https://UI.example"] })).toEqual({
      ok: true,
      matchedBy: "allowlist",
    });
  });

  it("refuses foreign, malformed and null origins, and loopback origins of remote clients", () => {
    expect(checkBrowserOrigin({ ...local, origin: "https://evil.example" })).toEqual({ ok: false, reason: "origin not allowed" });
    expect(checkBrowserOrigin({ ...local, origin: "null" })).toEqual({ ok: false, reason: "origin missing or invalid" });
    expect(checkBrowserOrigin({ ...local, origin: "http://127.0.0.1/path" })).toEqual({ ok: false, reason: "origin missing or invalid" });
    expect(checkBrowserOrigin({ requestHost: "gw.example", isLocalClient: false, origin: "http://127.0.0.1" })).toMatchObject({ ok: false });
    // A public same-host origin is not trusted without an allowlist entry.
    expect(checkBrowserOrigin({ requestHost: "gw.example", isLocalClient: false, origin: "https://gw.example" })).toMatchObject({ ok: false });
  });
});

describe("connect with an Origin header", () => {
  it("a foreign Origin is refused before auth: CONTROL_UI_ORIGIN_NOT_ALLOWED, close 1008", async () => {
    gateway = await startGateway();
    const { client, response } = await handshake(gateway.url, () => connectParams(TOKEN), { Origin: "https://evil.example" });
    expect(response["error"]).toEqual({
      code: "INVALID_REQUEST",
      message: REFUSED,
      details: { code: "CONTROL_UI_ORIGIN_NOT_ALLOWED", reason: "origin not allowed" },
    });
    expect(await client.closed).toEqual({ code: 1008, reason: REFUSED });
  });

  it("a loopback Origin is admitted but clears the scopes of a device-less cli", async () => {
    gateway = await startGateway();
    const { client, response } = await handshake(gateway.url, () => connectParams(TOKEN), { Origin: "http://127.0.0.1" });
    expect((response["payload"] as { auth: { scopes: string[] } }).auth.scopes).toEqual([]);
    client.close();
  });

  it("allowedOrigins admits a configured origin", async () => {
    gateway = await startGateway({ authenticator: { allowedOrigins: ["https://ui.example"] } });
    const { client, response } = await handshake(gateway.url, () => connectParams(TOKEN), { Origin: "https://ui.example" });
    expect(response["ok"]).toBe(true);
    client.close();
  });
});

describe("operator UI clients", () => {
  it("openclaw-tui and openclaw-browser-copilot need a device identity, like openclaw-control-ui", async () => {
    gateway = await startGateway();
    for (const id of ["openclaw-tui", "openclaw-browser-copilot", "openclaw-control-ui"] as const) {
      const { client, response } = await handshake(gateway.url, () =>
        connectParams({ ...TOKEN, client: { id, version: "1", platform: "linux", mode: "ui" } }),
      );
      expect(response["error"], id).toMatchObject({ code: "INVALID_REQUEST", details: { code: "CONTROL_UI_DEVICE_IDENTITY_REQUIRED" } });
      await client.closed;
    }
  });
});

import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GatewayClient, RemoteProfileError, RemoteStore, resolveRemote, resolveTarget, SecretSourceError } from "../src/index.js";
import { TEST_TOKEN, connectionsOf, startTestGateway } from "./helpers/test-gateway.js";
import { tempConfigDir } from "./helpers/temp-config.js";

const posix = process.platform !== "win32";
const SECRET = "profile-secret-abcdef123456";
const AMBIENT = "ambient-openclaw-token-999";

describe("remote profiles", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempConfigDir());
  });
  afterEach(async () => cleanup());

  it("adds, lists, shows and removes profiles; list/show never include secrets", async () => {
    const store = new RemoteStore({ configDir: dir });
    expect(await store.list()).toEqual([]);
    await store.add("gw2", {
      url: "wss://gw2.example.com:18789",
      description: "cluster 2",
      auth: { tokenCommand: `op read op://vault/gw2/token ${SECRET}` },
      tlsFingerprint: "ab".repeat(32),
      scopes: ["operator.read", "operator.write"],
    });
    await store.add("lab", { url: "ws://10.0.0.5:18789", auth: { tokenEnv: "LAB_TOKEN", passwordFile: "lab.pw" } });
    const list = await store.list();
    expect(list.map((r) => r.id)).toEqual(["gw2", "lab"]);
    const shown = await store.show("gw2");
    expect(shown).toMatchObject({
      id: "gw2",
      url: "wss://gw2.example.com:18789",
      token: { kind: "command", name: "op" },
      password: undefined,
      scopes: ["operator.read", "operator.write"],
      device: "auto",
    });
    expect(JSON.stringify(list)).not.toContain(SECRET);
    expect((await store.show("lab")).password).toEqual({ kind: "file", name: "lab.pw" });
    if (posix) expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    await expect(store.add("gw2", { url: "ws://127.0.0.1:1" })).rejects.toMatchObject({ code: "REMOTE_EXISTS" });
    await expect(store.add("GW2", { url: "ws://127.0.0.1:1" }, { replace: true })).rejects.toThrow(/differs from remote gw2 only in case/);
    await store.add("gw2", { url: "ws://127.0.0.1:1" }, { replace: true });
    expect((await store.show("gw2")).url).toBe("ws://127.0.0.1:1");
    expect(await store.remove("gw2")).toBe(true);
    expect(await store.remove("gw2")).toBe(false);
    await expect(store.get("gw2")).rejects.toMatchObject({ code: "UNKNOWN_REMOTE", message: expect.stringMatching(/known: lab/) });
  });

  it("validates profiles: no inline secrets, one source per secret, sane URL and pin", async () => {
    const store = new RemoteStore({ configDir: dir });
    const bad: unknown[] = [
      { url: "wss://x", auth: { token: SECRET } },
      { url: "wss://x", token: SECRET },
      { url: "wss://x", auth: { tokenEnv: "A", tokenFile: "b" } },
      { url: "http://x" },
      { url: "ws://user:pw@x" },
      { url: "ws://10.0.0.1", tlsFingerprint: "ab".repeat(32) },
      { url: "wss://x", tlsFingerprint: "nothex" },
      { url: "wss://x", auth: { tokenEnv: "not a name" } },
      { url: "wss://x", scopes: ["admin"] },
    ];
    for (const profile of bad) {
      const error = await store.add("r", profile as never).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(profile)).toBeInstanceOf(RemoteProfileError);
      expect((error as Error).message).not.toContain(SECRET);
    }
    await expect(store.add("../x", { url: "wss://x" })).rejects.toMatchObject({ code: "INVALID_REMOTE" });
  });

  it("reports an invalid remotes.json precisely, and refuses one others can write", async () => {
    const store = new RemoteStore({ configDir: dir });
    await writeFile(store.path, JSON.stringify({ remotes: { gw2: { url: "wss://x", auth: { token: SECRET } } } }), { mode: 0o600 });
    const error = await store.list().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "INVALID_REMOTES_FILE" });
    expect((error as Error).message).toMatch(/unexpected property 'token'/);
    expect((error as Error).message).not.toContain(SECRET);
    await writeFile(store.path, "{", { mode: 0o600 });
    await expect(store.list()).rejects.toThrow(/not valid JSON/);
    if (posix) {
      await writeFile(store.path, JSON.stringify({ remotes: {} }));
      await chmod(store.path, 0o666);
      await expect(store.list()).rejects.toThrow(/writable by group or others/);
    }
  });

  it("resolves secrets from env, file (relative to the config dir) and command", async () => {
    const store = new RemoteStore({ configDir: dir });
    await writeFile(join(dir, "gw-file.token"), `${SECRET}\n`, { mode: 0o600 });
    const script = join(dir, "secret.mjs");
    await writeFile(script, `console.log(${JSON.stringify(SECRET)});\n`);
    await store.add("by-env", { url: "wss://gw2.example.com", auth: { tokenEnv: "GW2_TOKEN" }, scopes: ["operator.read"] });
    await store.add("by-file", { url: "wss://gw2.example.com", auth: { passwordFile: "gw-file.token" } });
    await store.add("by-cmd", { url: "wss://gw2.example.com", auth: { tokenCommand: [process.execPath, script] } });
    const env = { GW2_TOKEN: SECRET, OPENCLAW_GATEWAY_TOKEN: AMBIENT };
    const byEnv = await resolveRemote("by-env", { configDir: dir, env });
    expect(byEnv).toMatchObject({ url: "wss://gw2.example.com", token: SECRET, scopeCeiling: ["operator.read"], credentialSlot: "remote-by-env" });
    expect((await resolveRemote("by-file", { configDir: dir, env })).password).toBe(SECRET);
    expect((await resolveRemote("by-cmd", { configDir: dir, env })).token).toBe(SECRET);
    await expect(resolveRemote("by-env", { configDir: dir, env: {} })).rejects.toBeInstanceOf(SecretSourceError);
    expect(await readFile(store.path, "utf8")).not.toContain(SECRET);
  });

  it("sends a profile's headers on the upgrade, values from their sources, shown only as sources", async () => {
    const store = new RemoteStore({ configDir: dir });
    await writeFile(join(dir, "edge.secret"), `${SECRET}-file\n`, { mode: 0o600 });
    const gateway = await startTestGateway();
    try {
      await store.add("edge", {
        url: gateway.url,
        auth: { tokenEnv: "GW_TOKEN" },
        device: "never",
        headers: { "CF-Access-Client-Id": { env: "CF_ID" }, "CF-Access-Client-Secret": { file: "edge.secret" } },
      });
      const summary = await store.show("edge");
      expect(summary.headers).toEqual({ "CF-Access-Client-Id": { kind: "env", name: "CF_ID" }, "CF-Access-Client-Secret": { kind: "file", name: "edge.secret" } });
      expect(await readFile(store.path, "utf8")).not.toContain(SECRET);

      const env = { GW_TOKEN: TEST_TOKEN, CF_ID: `${SECRET}-env` };
      const { options } = await resolveTarget({ remote: "edge" }, { configDir: dir, env });
      expect(options.headers).toEqual({ "CF-Access-Client-Id": `${SECRET}-env`, "CF-Access-Client-Secret": `${SECRET}-file` });
      const client = new GatewayClient({ ...options, tickWatchdog: false });
      try {
        await client.connect();
        const [connection] = connectionsOf(gateway);
        expect(connection?.socket.headers["cf-access-client-id"]).toBe(`${SECRET}-env`);
        expect(connection?.socket.headers["cf-access-client-secret"]).toBe(`${SECRET}-file`);
      } finally {
        await client.close();
      }
      await expect(resolveRemote("edge", { configDir: dir, env: { GW_TOKEN: TEST_TOKEN } })).rejects.toThrow(/CF_ID/);
    } finally {
      await gateway.stop();
    }
  });

  it("refuses inline header values and the handshake's own headers", async () => {
    const store = new RemoteStore({ configDir: dir });
    const add = (headers: unknown) => store.add("bad", { url: "wss://gw2.example.com", headers } as never);
    await expect(add({ "X-Edge": "s3cret-inline" })).rejects.toThrow(/inline secrets are not allowed/);
    await expect(add({ "X-Edge": "s3cret-inline" })).rejects.not.toThrow(/s3cret-inline/);
    await expect(add({ Host: { env: "H" } })).rejects.toThrow("at /headers/Host: is set by the WebSocket handshake itself");
    await expect(add({ "Bad Name": { env: "H" } })).rejects.toThrow(/must be an HTTP header name/);
  });

  it("refuses edge headers on a plaintext ws:// profile unless the host is loopback", async () => {
    const store = new RemoteStore({ configDir: dir });
    const headers = { "CF-Access-Client-Secret": { env: "CF_SECRET" } };
    await expect(store.add("lan", { url: "ws://10.0.0.5:18789", headers, allowInsecurePlaintext: true })).rejects.toThrow(
      /at \/headers: edge headers are sent only over wss:\/\//,
    );
    await expect(store.add("tunnel", { url: "ws://127.0.0.1:18789", headers })).resolves.toBeDefined();
    await expect(store.add("edge", { url: "wss://gw2.example.com", headers })).resolves.toBeDefined();
  });

  it("never falls back to OPENCLAW_GATEWAY_TOKEN for a named remote or an explicit URL", async () => {
    const store = new RemoteStore({ configDir: dir });
    await store.add("bare", { url: "wss://gw2.example.com" });
    const env = { OPENCLAW_GATEWAY_TOKEN: AMBIENT, OPENCLAW_GATEWAY_PASSWORD: AMBIENT };

    const remote = await resolveTarget({ remote: "bare" }, { configDir: dir, env });
    expect(remote.options.token).toBeUndefined();
    expect(remote.options.password).toBeUndefined();
    expect(remote.credentialOrigin).toBe("none");

    const url = await resolveTarget({ url: "wss://gw2.example.com" }, { configDir: dir, env });
    expect(url.options.token).toBeUndefined();
    expect(url.options.password).toBeUndefined();
    expect(JSON.stringify(url.options)).not.toContain(AMBIENT);

    const explicit = await resolveTarget({ url: "wss://gw2.example.com", token: { kind: "env", name: "MY_GW2" } }, { env: { ...env, MY_GW2: SECRET } });
    expect(explicit.options.token).toBe(SECRET);

    // Only the local default target may use the ambient credentials (they belong to it).
    const local = await resolveTarget({}, { configDir: dir, env: { ...env, OPENCLAW_GATEWAY_PORT: "18999" } });
    expect(local).toMatchObject({ urlSource: "local loopback", credentialOrigin: "ambient env" });
    expect(local.options).toMatchObject({ url: "ws://127.0.0.1:18999", token: AMBIENT });

    await expect(resolveTarget({ url: "wss://a", remote: "bare" }, { configDir: dir, env })).rejects.toThrow(/either --url or --remote/);
  });

  it("lets explicit credentials override a profile's sources", async () => {
    const store = new RemoteStore({ configDir: dir });
    await store.add("gw2", { url: "wss://gw2.example.com", auth: { tokenEnv: "GW2_TOKEN" } });
    const target = await resolveTarget({ remote: "gw2", token: "explicit-token-value" }, { configDir: dir, env: { GW2_TOKEN: SECRET } });
    expect(target.options.token).toBe("explicit-token-value");
    expect(target.credentialOrigin).toBe("explicit");
    expect(target.options.credentialSlot).toBe("remote-gw2");
  });
});

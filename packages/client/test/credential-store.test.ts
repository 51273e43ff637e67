import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CONFIG_DIR_ENV, CredentialStore, resolveConfigDir, storeSlotForRemote, storeSlotForUrl } from "../src/index.js";
import { tempConfigDir } from "./helpers/temp-config.js";

const posix = process.platform !== "win32";

describe("credential store", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempConfigDir());
  });
  afterEach(async () => cleanup());

  it("creates the identity once, in a 0700 dir with a 0600 file, and reuses it", async () => {
    const store = new CredentialStore(dir, storeSlotForRemote("gw2"));
    const first = await store.loadOrCreateIdentity();
    const again = await new CredentialStore(dir, storeSlotForRemote("gw2")).loadOrCreateIdentity();
    expect(again.deviceId).toBe(first.deviceId);
    if (posix) {
      expect((await stat(store.directory)).mode & 0o777).toBe(0o700);
      expect((await stat(join(store.directory, "identity.json"))).mode & 0o777).toBe(0o600);
    }
    // Atomic writes leave no temp files behind.
    expect((await readdir(store.directory)).sort()).toEqual(["identity.json"]);
  });

  it("keeps identities per remote", async () => {
    const a = await new CredentialStore(dir, storeSlotForRemote("a")).loadOrCreateIdentity();
    const b = await new CredentialStore(dir, storeSlotForRemote("b")).loadOrCreateIdentity();
    expect(a.deviceId).not.toBe(b.deviceId);
  });

  it("converges on one identity when created concurrently", async () => {
    const stores = Array.from({ length: 6 }, () => new CredentialStore(dir, "remote-race"));
    const ids = new Set((await Promise.all(stores.map((s) => s.loadOrCreateIdentity()))).map((i) => i.deviceId));
    expect(ids.size).toBe(1);
  });

  it("stores device tokens by role with scopes, ignores another identity's tokens, and clears them", async () => {
    const store = new CredentialStore(dir, "remote-gw2");
    const identity = await store.loadOrCreateIdentity();
    await store.saveDeviceToken(identity.deviceId, { token: "dtok-1", role: "operator", scopes: ["operator.read"], issuedAtMs: 5 });
    expect(await store.loadDeviceToken(identity.deviceId, "operator")).toEqual({
      token: "dtok-1",
      role: "operator",
      scopes: ["operator.read"],
      issuedAtMs: 5,
    });
    expect(await store.loadDeviceToken("f".repeat(64), "operator")).toBeUndefined();
    expect(await store.loadDeviceToken(identity.deviceId, "node")).toBeUndefined();
    if (posix) expect((await stat(join(store.directory, "device-tokens.json"))).mode & 0o777).toBe(0o600);
    await store.clearDeviceToken(identity.deviceId, "operator");
    expect(await store.loadDeviceToken(identity.deviceId, "operator")).toBeUndefined();
  });

  it("treats a corrupt token file as empty", async () => {
    const store = new CredentialStore(dir, "remote-x");
    const identity = await store.loadOrCreateIdentity();
    await store.saveDeviceToken(identity.deviceId, { token: "dtok", role: "operator", scopes: [], issuedAtMs: undefined });
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(store.directory, "device-tokens.json"), "{not json", { mode: 0o600 });
    expect(await store.loadDeviceToken(identity.deviceId, "operator")).toBeUndefined();
  });

  it("derives distinct URL slots per origin and path, and refuses unsafe slot names", () => {
    expect(storeSlotForUrl("wss://gw2.example.com")).toMatch(/^url-gw2\.example\.com-443-[0-9a-f]{12}$/);
    expect(storeSlotForUrl("ws://10.0.0.5:18789")).not.toBe(storeSlotForUrl("ws://10.0.0.5:18790"));
    expect(() => new CredentialStore(dir, "../escape")).toThrow(/invalid credential slot/);
    expect(() => storeSlotForRemote("a/b")).toThrow();
  });

  it("resolves the config dir from option, then CLAWBRIDGE_CONFIG_DIR, then XDG", () => {
    expect(resolveConfigDir({ configDir: "/x", env: { [CONFIG_DIR_ENV]: "/y" } })).toBe("/x");
    expect(resolveConfigDir({ env: { [CONFIG_DIR_ENV]: "/y" } })).toBe("/y");
    expect(resolveConfigDir({ env: {} })).toMatch(/clawbridge$/);
  });

  it("never writes the private key anywhere but identity.json", async () => {
    const store = new CredentialStore(dir, "remote-k");
    const identity = await store.loadOrCreateIdentity();
    await store.saveDeviceToken(identity.deviceId, { token: "dtok", role: "operator", scopes: [], issuedAtMs: undefined });
    const tokens = await readFile(join(store.directory, "device-tokens.json"), "utf8");
    expect(tokens).not.toContain("PRIVATE KEY");
  });
});
